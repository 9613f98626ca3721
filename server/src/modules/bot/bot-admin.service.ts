// What an admin sees of the bot: the delivery log (pending, dead letters with a retry, console
// messages) and the alerts raised while delivering. Read-only except for retry and resolve.
import { Op, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import { conflict, notFound } from '../../http/errors';
import type { RequestContext } from '../../http/context';
import { BOT_CHANNELS, BOT_MESSAGE_STATUSES } from '../../contracts/bot';
import type { BotMessageQuery } from '../../contracts/bot-admin.schemas';
import type { BotMessage } from './bot.model';

const ATTEMPTS_SHOWN = 10;

export function createBotAdminService(deps: Deps) {
  const { models } = deps.db;
  const now = () => new Date(deps.bot.now());

  async function describe(rows: BotMessage[]) {
    const ids = rows.map((r) => r.id);
    const attempts = ids.length ? await models.BotMessageAttempt.findAll({ where: { messageId: ids }, order: [['id', 'ASC']], raw: true }) : [];
    const byMessage = new Map<number, typeof attempts>();
    for (const a of attempts) byMessage.set(Number(a.messageId), [...(byMessage.get(Number(a.messageId)) ?? []), a]);
    const userIds = [...new Set(rows.map((r) => r.recipientUserId).filter((x): x is number => x !== null))];
    const users = userIds.length ? await models.User.findAll({ where: { id: userIds }, attributes: ['id', 'name'], raw: true }) : [];
    const userName = new Map(users.map((u) => [u.id, u.name]));
    const robotIds = rows.map((r) => /^robot:(\d+)$/.exec(r.recipient)?.[1]).filter((x): x is string => !!x).map(Number);
    const robots = robotIds.length ? await models.TeamRobot.findAll({ where: { id: robotIds }, attributes: ['id', 'name'], raw: true }) : [];
    const robotName = new Map(robots.map((r) => [`robot:${r.id}`, r.name]));
    const depts = await deps.org.departments();
    return rows.map((r) => {
      const payload = typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload;
      return {
        id: Number(r.id),
        channel: r.channel,
        channelName: BOT_CHANNELS[r.channel] ?? r.channel,
        kind: r.kind,
        status: r.status,
        statusName: BOT_MESSAGE_STATUSES[r.status] ?? r.status,
        recipient: r.recipient,
        recipientName: (r.recipientUserId !== null ? userName.get(r.recipientUserId) : robotName.get(r.recipient)) ?? null,
        departmentName: r.departmentId !== null ? (depts.get(r.departmentId)?.name ?? null) : null,
        payload,
        refType: r.refType,
        refId: r.refId,
        attempts: r.attempts,
        nextAttemptAt: r.nextAttemptAt,
        sentAt: r.sentAt,
        lastErrorCode: r.lastErrorCode,
        lastError: r.lastError,
        createdAt: r.createdAt,
        attemptLog: (byMessage.get(Number(r.id)) ?? []).slice(-ATTEMPTS_SHOWN).map((a) => ({
          attemptNo: a.attemptNo,
          outcome: a.outcome,
          errorCode: a.errorCode,
          errorMessage: a.errorMessage,
          durationMs: a.durationMs,
          at: a.createdAt,
        })),
      };
    });
  }

  async function page(where: WhereOptions<BotMessage>, q: { beforeId?: number; limit: number }) {
    const rows = await models.BotMessage.findAll({
      where: q.beforeId ? { [Op.and]: [where, { id: { [Op.lt]: q.beforeId } }] } : where,
      order: [['id', 'DESC']],
      limit: q.limit,
      raw: true,
    });
    const items = await describe(rows as BotMessage[]);
    return { items, nextBeforeId: rows.length === q.limit ? items[items.length - 1].id : null };
  }

  return {
    async listMessages(q: BotMessageQuery) {
      const where: Record<string, unknown> = {};
      if (q.status) where.status = q.status;
      if (q.channel) where.channel = q.channel;
      return page(where, q);
    },

    async message(id: number) {
      const row = await models.BotMessage.findByPk(id, { raw: true });
      if (!row) throw notFound('消息不存在');
      return (await describe([row as BotMessage]))[0];
    },

    /** Messages that went to the console channel (no messenger reaches the recipient). */
    consoleMessages(q: { beforeId?: number; limit: number }) {
      return page({ channel: 'console' }, q);
    },

    /** A dead letter goes back to the queue with a fresh set of attempts. */
    async retry(rc: RequestContext, id: number) {
      await deps.db.transaction(async (t) => {
        const row = await models.BotMessage.findByPk(id, { transaction: t });
        if (!row) throw notFound('消息不存在');
        const [n] = await models.BotMessage.update(
          { status: 'pending', attempts: 0, nextAttemptAt: now(), leaseUntil: null, leaseOwner: null },
          { where: { id, status: 'dead' }, transaction: t },
        );
        if (n !== 1) throw conflict('BOT_MESSAGE_NOT_RETRYABLE', `该消息${BOT_MESSAGE_STATUSES[row.status] ?? ''},只有发送失败的消息可以重试`);
        await deps.audit.record(rc, { action: 'bot.message_retry', entityType: 'bot_message', entityId: id, before: { status: row.status, attempts: row.attempts, lastErrorCode: row.lastErrorCode } }, t);
      });
      const row = await models.BotMessage.findByPk(id, { raw: true });
      return (await describe([row as BotMessage]))[0];
    },

    async listAlerts(resolved: boolean) {
      const rows = await models.AdminAlert.findAll({
        where: { resolvedAt: resolved ? { [Op.not]: null } : { [Op.is]: null } },
        order: [['updatedAt', 'DESC'], ['id', 'DESC']],
        limit: 100,
      });
      return rows.map((a) => ({ id: a.id, kind: a.kind, message: a.message, details: a.details, count: a.count, createdAt: a.createdAt, updatedAt: a.updatedAt, resolvedAt: a.resolvedAt }));
    },

    async resolveAlert(rc: RequestContext, id: number) {
      return deps.db.transaction(async (t) => {
        const a = await models.AdminAlert.findByPk(id, { transaction: t });
        if (!a) throw notFound('告警不存在');
        if (!a.resolvedAt) {
          a.resolvedAt = now();
          await a.save({ transaction: t });
          await deps.audit.record(rc, { action: 'admin_alert.resolve', entityType: 'admin_alert', entityId: id, after: { kind: a.kind, dedupeKey: a.dedupeKey } }, t);
        }
        return { id: a.id, resolvedAt: a.resolvedAt };
      });
    },
  };
}
export type BotAdminService = ReturnType<typeof createBotAdminService>;
