// The 数据 pages' period and scope: a preset (今天 / 本周 / 本月) or a custom range of Shanghai
// business dates, narrowed to a team or a person within the viewer's own scope.
import { addDays, shanghaiDate } from '@contracts/dates';

export interface PeriodScope {
  preset: 'today' | 'week' | 'month' | 'custom';
  from: string;
  to: string;
  departmentId?: number;
  ownerId?: number;
}

export function mondayOf(d: string): string {
  const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
  return addDays(d, -((dow + 6) % 7));
}

export function presetRange(preset: Exclude<PeriodScope['preset'], 'custom'>, today = shanghaiDate()): { from: string; to: string } {
  if (preset === 'today') return { from: today, to: today };
  if (preset === 'week') return { from: mondayOf(today), to: today };
  return { from: `${today.slice(0, 8)}01`, to: today };
}

/** The period and scope as the metrics API's query (and a drill-down page's URL query). */
export function toQuery(p: PeriodScope) {
  return { from: p.from, to: p.to, departmentId: p.departmentId, ownerId: p.ownerId };
}

export function fromRouteQuery(q: Record<string, unknown>): PeriodScope {
  // A hand-edited or stale link must not break the page: only real YYYY-MM-DD dates are taken.
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : undefined);
  const d = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s(k) ?? '') && !Number.isNaN(Date.parse(`${s(k)}T00:00:00Z`)) ? s(k) : undefined);
  const n = (k: string) => (s(k) && Number.isSafeInteger(Number(s(k))) && Number(s(k)) > 0 ? Number(s(k)) : undefined);
  const month = presetRange('month');
  let from = d('from') ?? month.from;
  let to = d('to') ?? (d('from') ? from : month.to);
  if (from > to) [from, to] = [to, from];
  // A link whose range is today / this week / this month lights that chip rather than 自定义.
  const preset = (['today', 'week', 'month'] as const).find((k) => {
    const r = presetRange(k);
    return r.from === from && r.to === to;
  });
  return { preset: preset ?? 'custom', from, to, departmentId: n('departmentId'), ownerId: n('ownerId') };
}
