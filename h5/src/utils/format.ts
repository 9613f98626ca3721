// Display helpers. Money stays integer fen until here; business dates are Asia/Shanghai.
import { formatFen, formatFenShort } from '@contracts/money';
import { addDays, shanghaiDate } from '@contracts/dates';

export { formatFen, formatFenShort };

/** "80万" / "1,234.56元" / "—" for a missing amount. */
export function fenShort(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : formatFenShort(fen);
}

/** "¥1,234.56" with the currency mark, for profile rows. */
export function fenYuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : `${formatFen(fen)} 元`;
}

/** Days from a to b (both YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** A next-follow-up date as officers read it: 今天 / 明天 / 逾期 3 天 / 11-25. */
export function followUpLabel(date: string | null | undefined, today = shanghaiDate()): { text: string; tone: 'overdue' | 'today' | 'normal' | 'none' } {
  if (!date) return { text: '未安排', tone: 'none' };
  const diff = daysBetween(today, date);
  if (diff < 0) return { text: `逾期 ${-diff} 天`, tone: 'overdue' };
  if (diff === 0) return { text: '今天', tone: 'today' };
  if (diff === 1) return { text: '明天', tone: 'normal' };
  if (diff === 2) return { text: '后天', tone: 'normal' };
  return { text: date.slice(0, 4) === today.slice(0, 4) ? date.slice(5) : date, tone: 'normal' };
}

const dateTimeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

/** An instant as Shanghai "2026-11-23 14:05" (or "11-23 14:05" this year, "今天 14:05" today). */
export function formatDateTime(iso: string | null | undefined, today = shanghaiDate()): string {
  if (!iso) return '—';
  const parts = Object.fromEntries(dateTimeFmt.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const time = `${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`;
  if (date === today) return `今天 ${time}`;
  if (date === addDays(today, -1)) return `昨天 ${time}`;
  return `${parts.year === today.slice(0, 4) ? date.slice(5) : date} ${time}`;
}

/** Hour of day in Shanghai, for the greeting. */
export function shanghaiHour(at = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hour12: false }).format(at)) % 24;
}

export function greeting(at = new Date()): string {
  const h = shanghaiHour(at);
  if (h < 6) return '夜深了';
  if (h < 11) return '早上好';
  if (h < 13) return '中午好';
  if (h < 18) return '下午好';
  return '晚上好';
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** "11月23日 星期一" for a YYYY-MM-DD date. */
export function longDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 星期${WEEKDAYS[d.getUTCDay()]}`;
}

/** The Sunday closing the week of a date (weeks run Monday to Sunday in China). */
export function endOfWeek(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, day === 0 ? 0 : 7 - day);
}

/** Monday of the following week. */
export function nextMonday(date: string): string {
  return addDays(endOfWeek(date), 1);
}
