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
import { Op, type Transaction } from 'sequelize';
import type { Deps } from '../../../deps';
import { shanghaiDate } from '../../../contracts/dates';
import type { BotChannel, BotPayload } from '../../../contracts/bot';
import { CHART_PATH, deleteExpiredCharts, storeChart } from './summary.charts-store';
import { recipientIdemKey, type OutboxMessage } from '../../bot/bot.service';
import { loadDayFacts, type DayFacts } from './summary.data';
import { createSummaryIndex, SUMMARY_MANAGER_ROLES, type ManagerSummary, type OrgDept, type OrgUser, type PersonLine } from './summary.compose';
import { dayLabel, managerPayload, teamPayload } from './summary.render';
import { leaderboardPng } from './summary.chart';

export const SUMMARY_KIND = 'daily_summary';
export const SUMMARY_TEAM_KIND = 'daily_summary_team';
export const SUMMARY_CHART_KIND = 'daily_summary_chart';
/** bot_messages.payload is TEXT (64 KB on MySQL): a picture larger than this is left out. */
const MAX_IMAGE_BASE64 = 48_000;

export interface ComposedSummary {
  day: string;
  managers: { user: OrgUser & { wecomUserid: string | null; dingtalkUserid: string | null }; summary: ManagerSummary; payload: BotPayload }[];
  teams: { departmentId: number; payload: BotPayload; chart: BotPayload | null }[];
}

type SummaryUser = OrgUser & { wecomUserid: string | null; dingtalkUserid: string | null };

/** What composing needs: the organisation, the teams with robots and the day's facts (one read). */
export interface SummaryInputs {
  day: string;
  depts: OrgDept[];
  users: SummaryUser[];
  robotDepartmentIds: number[];
  facts: DayFacts;
}

export async function loadSummaryInputs(deps: Pick<Deps, 'db'>, day: string): Promise<SummaryInputs> {
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
  const facts = await loadDayFacts(deps.db, day);
  return { day, depts, users, robotDepartmentIds: [...new Set(robots.map((r) => r.departmentId))].sort((a, b) => a - b), facts };
}

/** Everyone's message from the inputs: arithmetic and rendering, no I/O. */
export function composeFromInputs(inputs: SummaryInputs, opts: { charts?: boolean; log?: Pick<Deps['log'], 'warn'> } = {}): ComposedSummary {
  const { day, depts, users } = inputs;
  const index = createSummaryIndex(inputs.facts, depts, users);
  const managers: ComposedSummary['managers'] = [];
  for (const u of users) {
    if (!SUMMARY_MANAGER_ROLES.includes(u.role)) continue;
    const summary = index.forManager(u);
    if (summary) managers.push({ user: u, summary, payload: managerPayload(summary) });
  }

  const teams: ComposedSummary['teams'] = [];
  for (const departmentId of inputs.robotDepartmentIds) {
    const s = index.forTeam(departmentId);
    if (!s) continue;
    teams.push({ departmentId, payload: teamPayload(s), chart: opts.charts !== false && s.ranking.length ? chartPayload(s.name, day, s.ranking, opts.log) : null });
  }
  return { day, managers, teams };
}

/** The team's chart as a robot image payload; null when the picture would not fit the outbox row. */
export function chartPayload(team: string, day: string, ranking: PersonLine[], log?: Pick<Deps['log'], 'warn'>): BotPayload | null {
  let png: Buffer;
  try {
    png = leaderboardPng({ title: `${team} 今日排行`, subtitle: dayLabel(day), people: ranking });
  } catch (err) {
    // A picture that fails to render must not cost the team its leaderboard: send the text alone.
    log?.warn({ err, team }, 'daily summary chart failed to render; sending the leaderboard without it');
    return null;
  }
  const base64 = png.toString('base64');
  if (base64.length > MAX_IMAGE_BASE64) return null;
  return { title: `${team} 今日排行图`, text: `${team} 今日排行图`, image: { base64, md5: crypto.createHash('md5').update(png).digest('hex') } };
}

/** Everyone's message for `day`, without sending anything. */
export async function composeDailySummary(deps: Pick<Deps, 'db'> & Partial<Pick<Deps, 'log'>>, day: string, opts: { charts?: boolean } = {}): Promise<ComposedSummary> {
  return composeFromInputs(await loadSummaryInputs(deps, day), { ...opts, log: deps.log });
}

/**
 * Each team's leaderboard to its robots, like notifyTeam (same idem keys) but per messenger:
 * WeCom gets the markdown and then the chart as msgtype image; DingTalk robot markdown shows the
 * chart by URL (our public, unguessable, expiring link), so its markdown ends with the picture.
 */
async function enqueueTeams(deps: Deps, t: Transaction, composed: ComposedSummary, base: string, ref: { type: string; id: string }) {
  const robots = await deps.db.models.TeamRobot.findAll({ where: { departmentId: composed.teams.map((x) => x.departmentId), enabled: true }, transaction: t, raw: true });
  const now = new Date(deps.bot.now());
  await deleteExpiredCharts(deps.db, t, now);
  for (const team of composed.teams) {
    const mine = robots.filter((r) => r.departmentId === team.departmentId && (r.provider === 'wecom' ? deps.config.wecom : deps.config.dingtalk) !== null);
    const rows: OutboxMessage[] = [];
    const row = (channel: BotChannel, recipient: string, kind: string, key: string, payload: BotPayload): OutboxMessage => ({
      idemKey: recipientIdemKey(key, channel, `d${team.departmentId}`), channel, kind, recipient, departmentId: team.departmentId, payload, ref,
    });
    for (const r of mine) {
      const recipient = `robot:${r.id}`;
      if (r.provider === 'wecom') {
        rows.push(row('wecom_robot', recipient, SUMMARY_TEAM_KIND, `${base}:team`, team.payload));
        if (team.chart) rows.push(row('wecom_robot', recipient, SUMMARY_CHART_KIND, `${base}:chart`, team.chart));
      } else {
        let payload = team.payload;
        if (team.chart?.image) {
          const token = await storeChart(deps.db, t, composed.day, team.departmentId, Buffer.from(team.chart.image.base64, 'base64'), now);
          payload = { ...payload, markdown: `${payload.markdown ?? payload.text}\n\n![今日排行](${deps.config.publicUrl}${CHART_PATH}/${token}.png)` };
        }
        rows.push(row('dingtalk_robot', recipient, SUMMARY_TEAM_KIND, `${base}:team`, payload));
      }
    }
    // No robot (or its messenger is not configured): the console, as notifyTeam does.
    if (!mine.length) rows.push(row('console', '-', SUMMARY_TEAM_KIND, `${base}:team`, team.payload));
    await deps.bot.enqueue(t, rows);
  }
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
    await enqueueTeams(deps, t, composed, base, ref);
    return (await BotMessage.count({ where: { refType: ref.type, refId: day }, transaction: t })) - before;
  });
  return { day, managers: composed.managers.length, teams: composed.teams.length, enqueued };
}
