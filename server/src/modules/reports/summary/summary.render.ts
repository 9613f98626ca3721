// The daily summary as channel-neutral bot payloads (contracts/bot.ts): a manager's message as
// markdown plus a link to the H5 数据 page (WeCom app: markdown with the link; DingTalk work
// notification: markdown action card whose button opens the page in the workbench), and a
// team's leaderboard for its group robot. Kept compact: WeCom app markdown is cut at 2,048 B.
import type { BotPayload } from '../../../contracts/bot';
import type { ManagerSummary, PersonLine, ScopeSummary, Totals } from './summary.compose';

/** The H5 数据 page the messages link to, with the summary's day as its period (?from=&to=). */
export const SUMMARY_DASHBOARD_PATH = '/data';
export const dashboardUrl = (day: string) => `${SUMMARY_DASHBOARD_PATH}?from=${day}&to=${day}`;

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** "11月23日(周一)" for a YYYY-MM-DD business date. */
export function dayLabel(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日(周${WEEKDAYS[d.getUTCDay()]})`;
}

/** Fen as 万元 with two decimals (integer arithmetic): 123456789 → "123.46万"; under 1万 in 元. */
export function fenShort(fen: number): string {
  if (fen === 0) return '0';
  if (Math.abs(fen) < 1_000_000) return `${Math.round(fen / 100).toLocaleString('en-US')}元`;
  const hundredths = Math.round(fen / 10_000); // 0.01 万元 = 100 元 = 10,000 fen
  return `${Math.floor(hundredths / 100).toLocaleString('en-US')}.${String(hundredths % 100).padStart(2, '0')}万`;
}

const MAX_NAMES = 12;
const MAX_TEAMS = 8;

function names(list: { name: string }[]): string {
  const shown = list.slice(0, MAX_NAMES).map((p) => p.name).join('、');
  return list.length > MAX_NAMES ? `${shown} 等 ${list.length} 人` : shown;
}

function totalsLine(t: Totals): string {
  return `线索 ${t.newLeads} · 跟进 ${t.followUps} · 进件 ${t.submitted} · 获批 ${t.approved} · 放款 ${fenShort(t.disbursedFen)}`;
}

/**
 * Markdown lines joined so both messengers break them: DingTalk's markdown needs two trailing
 * spaces for a line break (a bare newline becomes a space); WeCom ignores them.
 */
const mdJoin = (lines: string[]) => lines.map((l) => (l === '' ? '' : `${l}  `)).join('\n');

function personLine(p: PersonLine): string {
  const parts = [p.disbursedFen > 0 ? `放款 ${fenShort(p.disbursedFen)}` : null, p.approved ? `获批 ${p.approved}` : null, p.submitted ? `进件 ${p.submitted}` : null, `跟进 ${p.followUps}`, p.newLeads ? `新线索 ${p.newLeads}` : null];
  return `${p.name}:${parts.filter(Boolean).join(' · ')}`;
}

/** The body lines shared by the manager's message and its plain-text fallback. */
function lines(s: ScopeSummary): { key: string[]; teams: string[]; top: string[]; idle: string } {
  const t = s.totals;
  const o = s.overdue;
  const key = [
    `新增线索:${t.newLeads}`,
    `跟进记录:${t.followUps}`,
    `进件提交:${t.submitted},审批通过:${t.approved}`,
    `放款:${t.disbursedCount} 笔,${fenShort(t.disbursedFen)}`,
    `逾期变化:新增 ${o.newCount} 笔${o.newCount ? `(${fenShort(o.newFen)})` : ''},升档 ${o.worsenedCount} 笔;在逾 ${o.openCount} 笔 ${fenShort(o.openFen)}`,
  ];
  const teams = s.teams.slice(0, MAX_TEAMS).map((x) => `${x.name}:${totalsLine(x.totals)}`);
  if (s.teams.length > MAX_TEAMS) teams.push(`等 ${s.teams.length} 个团队`);
  const top = s.ranking.slice(0, 3).map((p, i) => `${i + 1}. ${personLine(p)}`);
  return { key, teams, top, idle: s.idle.length ? names(s.idle) : '' };
}

export function managerPayload(s: ManagerSummary): BotPayload {
  const l = lines(s);
  const title = `每日战报 · ${dayLabel(s.day)}`;
  const md = [
    `范围:${s.scopeName}`,
    ...l.key.map((x) => `> ${x}`),
    ...(l.teams.length ? ['', '**分团队**', ...l.teams.map((x) => `- ${x}`)] : []),
    '',
    '**今日前三**',
    ...(l.top.length ? l.top : ['今天还没有人有业绩记录']),
    '',
    `**今日无跟进记录(${s.idle.length} 人)**`,
    l.idle || '无,全员都有跟进',
  ];
  const text = [
    `范围:${s.scopeName}`,
    ...l.key,
    ...(l.top.length ? ['今日前三:', ...l.top] : []),
    `今日无跟进记录(${s.idle.length} 人):${l.idle || '无'}`,
  ];
  return { title, markdown: mdJoin(md), text: text.join('\n'), url: dashboardUrl(s.day) };
}

const BOARD_SIZE = 10;

/**
 * The team's leaderboard for its group robot. Who logged nothing is for the manager's own
 * message, not for the whole group chat.
 */
export function teamPayload(s: ScopeSummary & { name: string }): BotPayload {
  const board = s.ranking.slice(0, BOARD_SIZE).map((p, i) => `${i + 1}. ${personLine(p)}`);
  const md = [
    `今日合计:${totalsLine(s.totals)}`,
    '',
    ...(board.length ? board : ['今天还没有人有业绩记录']),
    ...(s.ranking.length > BOARD_SIZE ? [`……共 ${s.ranking.length} 人上榜`] : []),
  ];
  return { title: `${s.name} 今日排行榜 · ${dayLabel(s.day)}`, markdown: mdJoin(md), text: md.join('\n'), url: dashboardUrl(s.day) };
}
