// Who owns a customer (C6): reassignment by leads, the public pool (公海) with release and claim,
// and the hand-over of a departing employee's whole book. Every move leaves owner history.
import type { Transaction, WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import { OWNER_ROLES } from '../../contracts/roles';
import type { OwnerChangeKind } from '../../contracts/catalog';
import { EVENT_TYPES } from '../events/events.service';
import type { Customer, CustomerRow } from './customer.model';
import type { CustomerService } from './customer.service';
import { nameContains, poolScope } from './customer.scope';
import { toCustomerView } from './customer.view';
import { decodeCursor, encodeCursor, keysetPage } from './customer.pagination';

const CHUNK = 500;

export function createOwnershipService(deps: Deps, customers: CustomerService) {
  const { db, org, audit, events, crypto } = deps;
  const { Customer, OwnerChange, User } = db.models;

  /** `rc` null: a move the system makes (the follow-up ladder), recorded without an actor. */
  async function recordMove(rc: RequestContext | null, c: CustomerRow, kind: OwnerChangeKind, from: number | null, to: number | null, reason: string | null, t: Transaction) {
    const actorId = rc?.actor.id ?? null;
    await OwnerChange.create({ customerId: c.id, fromUserId: from, toUserId: to, kind, actorId, reason }, { transaction: t });
    await audit.record(rc, { action: `owner_${kind}`, entityType: 'customer', entityId: c.id, before: { ownerId: from }, after: { ownerId: to, reason } }, t);
    await events.emit({ type: EVENT_TYPES.OwnerChanged, aggregateType: 'customer', aggregateId: c.id, actorId, payload: { customerId: Number(c.id), from, to, kind } }, t);
  }

  async function view(rc: RequestContext, c: CustomerRow) {
    return toCustomerView(c, rc.actor, await customers.names([c]), crypto);
  }

  return {
    /** A lead hands a customer (in their book, or from the pool) to someone in their team. */
    async assign(rc: RequestContext, id: number, input: { ownerId: number; reason?: string }) {
      const target = await org.canAssignTo(rc.actor, input.ownerId);
      if (!target) throw new AppError(422, 'INVALID_ASSIGNEE', '只能分配给本团队在职的业务人员');
      const row = await db.transaction(async (t) => {
        const c = await lockAssignable(rc, id, t);
        const from = c.ownerId;
        if (from === target.id) return c;
        await c.update({ ownerId: target.id, departmentId: target.departmentId, assignedAt: new Date(), pooledAt: null, poolReason: null }, { transaction: t });
        await recordMove(rc, c, 'assign', from, target.id, input.reason ?? null, t);
        return c;
      });
      return view(rc, row);
    },

    async release(rc: RequestContext, id: number, input: { reason: string }) {
      const row = await db.transaction(async (t) => {
        const c = await customers.findInScope(rc.actor, id, 'write', t);
        const from = c.ownerId;
        // The old plan leaves with the owner: whoever claims the customer sets their own.
        await c.update({ ownerId: null, departmentId: null, pooledAt: new Date(), poolReason: input.reason, nextFollowUpDate: null }, { transaction: t });
        await recordMove(rc, c, 'release', from, null, input.reason, t);
        return c;
      });
      return view(rc, row);
    },

    /**
     * The system returns a customer to the pool inside the caller's transaction (the ladder's last
     * step), on the customer row the caller has locked. Same effect and history as `release`.
     */
    async releaseBySystem(t: Transaction, c: CustomerRow, reason: string) {
      const from = c.ownerId;
      await c.update({ ownerId: null, departmentId: null, pooledAt: new Date(), poolReason: reason, nextFollowUpDate: null }, { transaction: t });
      await recordMove(null, c, 'release', from, null, reason, t);
    },

    /** First claim wins: the update only matches while the customer is still unowned. */
    async claim(rc: RequestContext, id: number) {
      const row = await db.transaction(async (t) => {
        const [affected] = await Customer.update(
          { ownerId: rc.actor.id, departmentId: rc.actor.departmentId, assignedAt: new Date(), pooledAt: null, poolReason: null },
          { where: { id, ownerId: null }, transaction: t },
        );
        if (affected !== 1) {
          const exists = await Customer.count({ where: { id }, transaction: t });
          if (!exists) throw notFound('客户不存在或无权查看');
          throw new AppError(409, 'CUSTOMER_NOT_IN_POOL');
        }
        const c = (await Customer.findByPk(id, { transaction: t }))!;
        await recordMove(rc, c, 'claim', null, rc.actor.id, null, t);
        return c;
      });
      return view(rc, row);
    },

    async listPool(rc: RequestContext, q: { q?: string; channel?: string; cursor?: string; limit: number }) {
      const and: WhereOptions<Customer>[] = [poolScope(rc.actor)];
      if (q.channel) and.push({ channel: q.channel });
      if (q.q) and.push(nameContains(q.q));
      const page = await keysetPage(Customer, and, 'recent', decodeCursor(q.cursor, 'recent'), q.limit);
      const names = await customers.names(page.items);
      return { items: page.items.map((c) => toCustomerView(c, rc.actor, names, crypto)), nextCursor: page.next ? encodeCursor(page.next) : null };
    },

    /**
     * 离职继承: moves every customer of one employee to another in one transaction, with an owner-history
     * and audit row per customer, optionally disabling the leaver. Nothing is left half-moved.
     */
    async transferAll(rc: RequestContext, fromUserId: number, input: { toUserId: number; reason?: string; disableUser: boolean }) {
      if (fromUserId === input.toUserId) throw new AppError(422, 'INVALID_ASSIGNEE', '接收人不能是离职员工本人');
      const from = await User.findByPk(fromUserId, { raw: true });
      if (!from) throw notFound('员工不存在');
      const to = await User.findByPk(input.toUserId, { raw: true });
      if (!to || to.status !== 'active' || !OWNER_ROLES.includes(to.role)) throw new AppError(422, 'INVALID_ASSIGNEE', '接收人必须是在职的业务人员');
      const reason = input.reason ?? `${from.name} 离职,客户移交给 ${to.name}`;
      const count = await db.transaction(async (t) => {
        const rows = await Customer.findAll({ where: { ownerId: fromUserId }, attributes: ['id'], transaction: t, lock: t.LOCK.UPDATE, raw: true });
        const ids = rows.map((r) => Number(r.id));
        for (let i = 0; i < ids.length; i += CHUNK) {
          const chunk = ids.slice(i, i + CHUNK);
          await Customer.update({ ownerId: to.id, departmentId: to.departmentId, assignedAt: new Date() }, { where: { id: chunk }, transaction: t });
          await OwnerChange.bulkCreate(chunk.map((customerId) => ({ customerId, fromUserId, toUserId: to.id, kind: 'transfer' as const, actorId: rc.actor.id, reason })), { transaction: t });
          await audit.recordMany(rc, chunk.map((customerId) => ({ action: 'owner_transfer', entityType: 'customer', entityId: customerId, before: { ownerId: fromUserId }, after: { ownerId: to.id, reason } })), t);
        }
        if (input.disableUser) {
          await User.update({ status: 'disabled' }, { where: { id: fromUserId }, transaction: t });
          await audit.record(rc, { action: 'disable', entityType: 'user', entityId: fromUserId, before: { status: from.status }, after: { status: 'disabled' } }, t);
        }
        await events.emit({ type: EVENT_TYPES.StaffBookTransferred, aggregateType: 'user', aggregateId: fromUserId, actorId: rc.actor.id, payload: { fromUserId, toUserId: to.id, count: ids.length } }, t);
        return ids.length;
      });
      if (input.disableUser) org.invalidate(); // the leaver's open session stops at once
      return { transferred: count, fromUserId, toUserId: to.id, disabled: input.disableUser };
    },
  };

  /** A customer the actor may reassign: in their book, or in the pool. */
  async function lockAssignable(rc: RequestContext, id: number, t: Transaction): Promise<CustomerRow> {
    try {
      return await customers.findInScope(rc.actor, id, 'write', t);
    } catch (err) {
      const pooled = await Customer.findOne({ where: { id, ownerId: null }, transaction: t, lock: t.LOCK.UPDATE });
      if (pooled) return pooled;
      throw err;
    }
  }
}
export type OwnershipService = ReturnType<typeof createOwnershipService>;
