// Follow-up records (C4): quick entry that also moves the customer's next follow-up date.
import { Op } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError } from '../../http/errors';
import { FOLLOWUP_OUTCOMES, FOLLOWUP_TYPES } from '../../contracts/catalog';
import type { RecordFollowUpInput } from '../../contracts/customer.schemas';
import { EVENT_TYPES } from '../events/events.service';
import type { CustomerService } from '../customers/customer.service';
import type { FollowUp } from './follow-up.model';

export function createFollowUpService(deps: Deps, customers: CustomerService) {
  const { db, org, audit, events } = deps;
  const { FollowUp, Customer } = db.models;

  async function present(rows: FollowUp[]) {
    const users = await org.usersByIds(rows.map((r) => r.userId));
    return rows.map((f) => ({
      id: Number(f.id),
      customerId: Number(f.customerId),
      type: f.type,
      typeName: FOLLOWUP_TYPES[f.type],
      content: f.content,
      outcome: f.outcome,
      outcomeName: f.outcome ? FOLLOWUP_OUTCOMES[f.outcome] : null,
      nextFollowUpDate: f.nextFollowUpDate,
      userId: f.userId,
      userName: users.get(f.userId)?.name ?? null,
      customFields: f.customFields ?? {},
      createdAt: f.createdAt,
    }));
  }

  return {
    async record(rc: RequestContext, customerId: number, input: RecordFollowUpInput) {
      const row = await db.transaction(async (t) => {
        const pooled = await Customer.count({ where: { id: customerId, ownerId: null }, transaction: t });
        if (pooled) throw new AppError(409, 'CUSTOMER_IN_POOL');
        const c = await customers.findInScope(rc.actor, customerId, 'write', t);
        const f = await FollowUp.create(
          { customerId, userId: rc.actor.id, type: input.type, content: input.content, outcome: input.outcome ?? null, nextFollowUpDate: input.nextFollowUpDate ?? null, customFields: input.customFields ?? null },
          { transaction: t },
        );
        // The new plan replaces the old one; no date given means nothing is planned.
        await c.update({ lastFollowUpAt: f.createdAt, nextFollowUpDate: input.nextFollowUpDate ?? null }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'follow_up', entityId: f.id, after: { customerId, type: f.type, outcome: f.outcome, nextFollowUpDate: f.nextFollowUpDate } }, t);
        await events.emit({ type: EVENT_TYPES.FollowUpRecorded, aggregateType: 'customer', aggregateId: customerId, actorId: rc.actor.id, payload: { customerId, followUpId: Number(f.id), type: f.type, outcome: f.outcome } }, t);
        return f;
      });
      return (await present([row]))[0];
    },

    async list(rc: RequestContext, customerId: number, q: { before?: number; limit: number }) {
      await customers.findInScope(rc.actor, customerId, 'read');
      const where = { customerId, ...(q.before ? { id: { [Op.lt]: q.before } } : {}) };
      const rows = await FollowUp.findAll({ where, order: [['id', 'DESC']], limit: q.limit + 1 });
      const items = await present(rows.slice(0, q.limit));
      return { items, nextBefore: rows.length > q.limit ? items[items.length - 1].id : null };
    },
  };
}
export type FollowUpService = ReturnType<typeof createFollowUpService>;
