// The daily summary in chat (C22): once per business day (bot/src/jobs/daily-summary.job.ts) each
// manager gets their scope's day as one message, and each team's group robot the team's
// leaderboard, with a chart picture where the messenger takes one (WeCom robot: msgtype image).
//
// Composing reads the day once (summary.data.ts) and is pure arithmetic per manager
// (summary.compose.ts), so 500 managers cost the same six queries as one. Sending is the bot
// outbox: every row's idem key is `daily-summary:<day>…<recipient>`, so a second run on the same
// day (another instance, a restart, 立即运行 on the jobs page) enqueues nothing new, and the
// dispatcher paces what is enqueued within the messengers' limits (robots 20/min, WeCom app
// 30/min per member, DingTalk 500/day per user), merging a robot's surplus rather than dropping it.
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import type { Deps } from '../../../deps';
import { shanghaiDate } from '../../../contracts/dates';
import type { BotPayload } from '../../../contracts/bot';
import { recipientIdemKey, type OutboxMessage } from '../../bot/bot.service';
import { loadDayFacts } from './summary.data';
import { createSummaryIndex, SUMMARY_MANAGER_ROLES, type ManagerSummary, type OrgUser } from './summary.compose';
import { dayLabel, managerPayload, teamPayload } from './summary.render';
import { leaderboardPng } from './summary.chart';

export const SUMMARY_KIND = 'daily_summary';
export const SUMMARY_TEAM_KIND = 'daily_summary_team';
export const SUMMARY_CHART_KIND = 'daily_summary_chart';
/** bot_messages.payload is TEXT (64 KB on MySQL): a picture larger than this is left out. */
const MAX_IMAGE_BASE64 = 48_000;

export interface ComposedSummary {
  day: string;
  managers: { user: OrgUser & { wecomUserid: string | null; dingtalkUserid: string | null; departmentId: number }; summary: ManagerSummary; payload: BotPayload }[];
  teams: { departmentId: number; payload: BotPayload; chart: BotPayload | null }[];
}

/** Everyone's message for `day`, without sending anything (also what the benchmark times). */
export async function composeDailySummary(deps: Pick<Deps, 'db'>, day: string, opts: { charts?: boolean } = {}): Promise<ComposedSummary> {
  const { models } = deps.db;
  const [depts, users, robots] = await Promise.all([
    models.Department.findAll({ attributes: ['id', 'name', 'kind', 'path'], raw: true }),
    models.User.findAll({
      attributes: ['id', 'name', 'role', 'departmentId', 'wecomUserid', 'dingtalkUserid'],
      where: { status: 'active', disabledAt: { [Op.is]: null } },
      raw: true,
    }),
    models.TeamRobot.findAll({ attributes: ['departmentId'], where: { enabled: true }, raw: true }),
  ]);
  const facts = await loadDayFacts(models, day, users);
  const index = createSummaryIndex(facts, depts, users);

  const managers: ComposedSummary['managers'] = [];
  for (const u of users) {
    if (!SUMMARY_MANAGER_ROLES.includes(u.role)) continue;
    const summary = index.forManager(u);
    if (summary) managers.push({ user: u, summary, payload: managerPayload(summary) });
  }

  const teams: ComposedSummary['teams'] = [];
  for (const departmentId of [...new Set(robots.map((r) => r.departmentId))].sort((a, b) => a - b)) {
    const s = index.forTeam(departmentId);
    if (!s) continue;
    let chart: BotPayload | null = null;
    if (opts.charts !== false && s.ranking.length) {
      const png = leaderboardPng({ title: `${s.name} 今日排行`, subtitle: dayLabel(day), people: s.ranking });
      const base64 = png.toString('base64');
      if (base64.length <= MAX_IMAGE_BASE64) {
        chart = { title: `${s.name} 今日排行图`, text: `${s.name} 今日排行图`, image: { base64, md5: crypto.createHash('md5').update(png).digest('hex') } };
      }
    }
    teams.push({ departmentId, payload: teamPayload(s), chart });
  }
  return { day, managers, teams };
}

export interface SummaryRunResult {
  day: string;
  managers: number;
  teams: number;
  /** Outbox rows this run added (0 on a second run of the same day). */
  enqueued: number;
}

/** Composes `day` (default: today in Shanghai) and enqueues it, in one transaction. */
export async function runDailySummary(deps: Deps, opts: { day?: string } = {}): Promise<SummaryRunResult> {
  const day = opts.day ?? shanghaiDate(new Date(deps.bot.now()));
  const composed = await composeDailySummary(deps, day);
  const base = `daily-summary:${day}`;
  const ref = { type: 'daily_summary', id: day };
  const { BotMessage } = deps.db.models;
  const enqueued = await deps.db.transaction(async (t) => {
    const before = await BotMessage.count({ where: { refType: ref.type, refId: day }, transaction: t });
    const rows: OutboxMessage[] = [];
    for (const m of composed.managers) {
      for (const c of deps.bot.channelsForUser(m.user, false)) {
        rows.push({
          idemKey: recipientIdemKey(base, c.channel, `u${m.user.id}`),
          channel: c.channel,
          kind: SUMMARY_KIND,
          recipient: c.recipient,
          recipientUserId: m.user.id,
          departmentId: m.user.departmentId,
          payload: m.payload,
          ref,
        });
      }
    }
    await deps.bot.enqueue(t, rows);
    for (const team of composed.teams) {
      const res = await deps.bot.notifyTeam(t, { kind: SUMMARY_TEAM_KIND, idemKey: `${base}:team`, departmentId: team.departmentId, payload: team.payload, ref });
      // The picture after the leaderboard, to the robots that take pictures (WeCom).
      if (!team.chart) continue;
      const images: OutboxMessage[] = res.messages
        .filter((m) => m.channel === 'wecom_robot')
        .map((m) => ({
          idemKey: recipientIdemKey(`${base}:chart`, m.channel, `d${team.departmentId}`),
          channel: m.channel,
          kind: SUMMARY_CHART_KIND,
          recipient: m.recipient,
          departmentId: team.departmentId,
          payload: team.chart!,
          ref,
        }));
      await deps.bot.enqueue(t, images);
    }
    return (await BotMessage.count({ where: { refType: ref.type, refId: day }, transaction: t })) - before;
  });
  return { day, managers: composed.managers.length, teams: composed.teams.length, enqueued };
}
