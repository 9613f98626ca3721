// Customers: registration with de-duplication (C2), the scoped list and search, the 360 profile,
// edits, stage changes (C5) and audited reveal of sensitive fields (C28).
import { Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext, Actor } from '../../http/context';
import { AppError, conflict, notFound } from '../../http/errors';
import { FIELD_ACCESS, type SensitiveField } from '../../contracts/fields';
import { canTransition, STAGES, type Stage } from '../../contracts/stages';
import { can } from '../../contracts/roles';
import { shanghaiDate } from '../../contracts/dates';
import { normalizePhone, parseIdNumber } from '../../contracts/identity';
import type { CreateCustomerInput, ListCustomersQuery, UpdateCustomerInput } from '../../contracts/customer.schemas';
import { EVENT_TYPES } from '../events/events.service';
import { smsMessageView } from '../sms/sms.service';
import { createAssignmentService } from '../assignment/assignment.service';
import type { Customer, CustomerRow } from './customer.model';
import { sql, type Sql } from '../../db/sql';
import { bookScope, bookScopeSql, inBook, nameContainsSql, readScope, type ScopePurpose } from './customer.scope';
import { auditSnapshot, LIST_ITEM_COLUMNS, type Names, sensitiveValue, toCustomerListItem, toCustomerView } from './customer.view';
import { decodeCursor, encodeCursor, keysetPageSql, selectColumns } from './customer.pagination';

export interface DuplicateInfo {
  field: 'phone' | 'idNumber';
  ownerName: string | null;
  registeredAt: string;
  inPool: boolean;
  customerId: number;
}

export function duplicateMessage(d: Pick<DuplicateInfo, 'ownerName' | 'registeredAt' | 'inPool'>): string {
  return d.inPool || !d.ownerName ? `该客户已在公海中(${d.registeredAt} 登记),可直接领取` : `已被 ${d.ownerName} 于 ${d.registeredAt} 登记`;
}

export function createCustomerService(deps: Deps) {
  const { db, crypto, org, channels, audit, events } = deps;
  const { Customer, StageChange, OwnerChange } = db.models;
  const assignment = createAssignmentService(deps); // leads without an owner go through the assignment rules
  const LIST_SELECT = selectColumns(Customer, LIST_ITEM_COLUMNS);

  async function names(rows: Customer[]): Promise<Names> {
    const [users, depts, chans] = await Promise.all([org.usersByIds(rows.map((r) => r.ownerId!).filter(Boolean)), org.departments(), channels.all()]);
    return { users, departments: depts, channels: chans };
  }

  async function view(actor: Actor, row: Customer) {
    return toCustomerView(row, actor, await names([row]), crypto);
  }

  /** Finds a customer the actor may read (or change); anything else is "not found". */
  async function findInScope(actor: Actor, id: number, purpose: ScopePurpose, t?: Transaction): Promise<CustomerRow> {
    const scope = purpose === 'read' ? await readScope(actor, org) : await bookScope(actor, org, 'write');
    const row = await Customer.findOne({
      where: { [Op.and]: [{ id }, scope] } as WhereOptions<Customer>,
      transaction: t,
      lock: t ? t.LOCK.UPDATE : undefined,
    });
    if (!row) throw notFound('客户不存在或无权查看');
    return row;
  }

  function hashes(phone: string, idNumber?: string | null) {
    return { phoneHash: crypto.blindIndex('phone', phone), idNumberHash: idNumber ? crypto.blindIndex('idNumber', idNumber) : null };
  }

  async function findDuplicate(h: { phoneHash?: string | null; idNumberHash?: string | null }, excludeId?: number, t?: Transaction): Promise<DuplicateInfo | null> {
    const or: WhereOptions<Customer>[] = [];
    if (h.phoneHash) or.push({ phoneHash: h.phoneHash });
    if (h.idNumberHash) or.push({ idNumberHash: h.idNumberHash });
    if (or.length === 0) return null;
    const where: WhereOptions<Customer> = { [Op.or]: or } as WhereOptions<Customer>;
    const rows = await Customer.findAll({ where, attributes: ['id', 'phoneHash', 'idNumberHash', 'ownerId', 'createdAt'], raw: true, transaction: t });
    const hit = rows.find((r) => Number(r.id) !== excludeId);
    if (!hit) return null;
    const owner = hit.ownerId ? (await org.usersByIds([hit.ownerId])).get(hit.ownerId) : null;
    return {
      field: h.phoneHash && hit.phoneHash === h.phoneHash ? 'phone' : 'idNumber',
      ownerName: owner?.name ?? null,
      registeredAt: shanghaiDate(new Date(hit.createdAt)),
      inPool: hit.ownerId === null,
      customerId: Number(hit.id),
    };
  }

  function duplicateError(d: DuplicateInfo) {
    return conflict('DUPLICATE_CUSTOMER', duplicateMessage(d), {
      field: d.field,
      ownerName: d.ownerName,
      registeredAt: d.registeredAt,
      inPool: d.inPool,
    });
  }

  /** Runs a write that may hit the unique indexes; a hit becomes 409 naming the existing owner. */
  async function withDuplicateGuard<T>(h: { phoneHash?: string | null; idNumberHash?: string | null }, excludeId: number | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      const dup = await findDuplicate(h, excludeId);
      throw dup ? duplicateError(dup) : conflict('DUPLICATE_CUSTOMER');
    }
  }

  async function assertChannel(code: string) {
    if (!(await channels.isEnabled(code))) {
      throw new AppError(422, 'VALIDATION_FAILED', '渠道不存在或已停用', { fields: [{ field: 'channel', message: '渠道不存在或已停用' }] });
    }
  }

  /** Encrypted and hashed columns for a phone / ID number pair. */
  function sensitiveColumns(phone: string, idNumber: string | null | undefined) {
    const id = idNumber ? parseIdNumber(idNumber) : null;
    const info = id && !('problem' in id) ? id : null;
    return {
      phoneEnc: crypto.encrypt(phone),
      phoneLast4: phone.slice(-4),
      idNumberEnc: info ? crypto.encrypt(info.idNumber) : null,
      birthDate: info?.birthDate ?? null,
      gender: info?.gender ?? null,
      ...hashes(phone, info?.idNumber),
    };
  }

  /**
   * Registers a customer inside the caller's transaction. Shared by staff entry and partner intake,
   * so every entry point de-duplicates, records history and audits the same way.
   */
  async function insertCustomer(
    rc: RequestContext | null,
    input: Omit<CreateCustomerInput, 'ownerId'> & { externalId?: string },
    owner: { id: number; departmentId: number } | null,
    kind: 'create' | 'intake',
    t: Transaction,
  ): Promise<CustomerRow> {
    const now = new Date();
    const row = await Customer.create(
      {
        name: input.name,
        ...sensitiveColumns(input.phone, input.idNumber),
        city: input.city ?? null,
        channel: input.channel,
        campaignTags: input.campaignTags ?? null,
        stage: 'lead',
        ownerId: owner?.id ?? null,
        departmentId: owner?.departmentId ?? null,
        assignedAt: owner ? now : null,
        pooledAt: owner ? null : now,
        poolReason: owner ? null : '渠道线索待分配',
        loanAmountFen: input.loanAmountFen ?? null,
        loanTermMonths: input.loanTermMonths ?? null,
        loanPurpose: input.loanPurpose ?? null,
        collateral: input.collateral ?? null,
        monthlyIncomeFen: input.monthlyIncomeFen ?? null,
        occupation: input.occupation ?? null,
        creditStatus: input.creditStatus ?? null,
        creditNotes: input.creditNotes ?? null,
        remark: input.remark ?? null,
        nextFollowUpDate: input.nextFollowUpDate ?? null,
        stageChangedAt: now,
        customFields: input.customFields ?? null,
        externalId: input.externalId ?? null,
        createdBy: rc?.actor.id ?? null,
      },
      { transaction: t },
    );
    const actorId = rc?.actor.id ?? null;
    await StageChange.create({ customerId: row.id, fromStage: null, toStage: 'lead', actorId }, { transaction: t });
    await OwnerChange.create({ customerId: row.id, fromUserId: null, toUserId: owner?.id ?? null, kind, actorId }, { transaction: t });
    await audit.record(rc, { action: 'create', entityType: 'customer', entityId: row.id, after: auditSnapshot(row.get({ plain: true })) }, t);
    await events.emit(
      { type: EVENT_TYPES.CustomerCreated, aggregateType: 'customer', aggregateId: row.id, actorId, payload: { customerId: Number(row.id), ownerId: owner?.id ?? null, channel: input.channel, via: kind } },
      t,
    );
    // A staff member's own customer stays theirs; a lead without an owner (intake, import) is auto-assigned.
    if (!owner) await assignment.assignNewLead(row, t);
    return row;
  }

  return {
    insertCustomer,
    findDuplicate,
    duplicateError,
    withDuplicateGuard,
    findInScope,
    hashes,
    names,

    async create(rc: RequestContext, input: CreateCustomerInput) {
      await assertChannel(input.channel);
      let owner = { id: rc.actor.id, departmentId: rc.actor.departmentId };
      if (input.ownerId && input.ownerId !== rc.actor.id) {
        const target = await org.canAssignTo(rc.actor, input.ownerId);
        if (!target) throw new AppError(422, 'INVALID_ASSIGNEE');
        owner = { id: target.id, departmentId: target.departmentId };
      }
      const h = hashes(input.phone, input.idNumber);
      const row = await withDuplicateGuard(h, undefined, () => db.transaction((t) => insertCustomer(rc, input, owner, 'create', t)));
      return view(rc.actor, row);
    },

    /** As-you-type duplicate check: who holds the customer and since when, nothing else (C2). */
    async checkDuplicate(rc: RequestContext, q: { phone?: string; idNumber?: string }) {
      const dup = await findDuplicate({
        phoneHash: q.phone ? crypto.blindIndex('phone', q.phone) : null,
        idNumberHash: q.idNumber ? crypto.blindIndex('idNumber', q.idNumber) : null,
      });
      if (!dup) return { duplicate: false };
      const readable = await Customer.count({ where: { [Op.and]: [{ id: dup.customerId }, await readScope(rc.actor, org)] } as WhereOptions<Customer> });
      return {
        duplicate: true,
        field: dup.field,
        ownerName: dup.ownerName,
        registeredAt: dup.registeredAt,
        inPool: dup.inPool,
        message: duplicateMessage(dup),
        // Only a customer the asker may open is linked; others stay anonymous.
        customerId: readable ? dup.customerId : undefined,
      };
    },

    /** The scoped list and search: the busiest read, so its SQL is written out rather than generated. */
    async list(rc: RequestContext, q: ListCustomersQuery) {
      const where: Sql[] = [await bookScopeSql(rc.actor, org, 'read')];
      if (q.stage?.length) where.push(sql('stage IN (?)', q.stage));
      if (q.channel) where.push(sql('channel = ?', q.channel));
      if (q.ownerId) where.push(sql('owner_id = ?', q.ownerId));
      if (q.nextFollowUpFrom) where.push(sql('next_follow_up_date >= ?', q.nextFollowUpFrom));
      if (q.nextFollowUpTo) where.push(sql('next_follow_up_date <= ?', q.nextFollowUpTo));
      if (q.q) where.push(searchCondition(q.q));
      const page = await keysetPageSql(db, LIST_SELECT, where, q.sort, decodeCursor(q.cursor, q.sort), q.limit);
      const n = await names(page.items);
      return {
        items: page.items.map((r) => toCustomerListItem(r, rc.actor, n, crypto)),
        nextCursor: page.next ? encodeCursor(page.next) : null,
      };
    },

    async get(rc: RequestContext, id: number) {
      const row = await findInScope(rc.actor, id, 'read');
      const v = await view(rc.actor, row);
      const canWrite = row.ownerId !== null && (await inBook(rc.actor, org, row, 'write'));
      return {
        ...v,
        permissions: {
          edit: canWrite && can(rc.actor.role, 'customer.update'),
          followUp: canWrite && can(rc.actor.role, 'followup.create'),
          changeStage: canWrite && can(rc.actor.role, 'customer.stage'),
          assign: (canWrite || row.ownerId === null) && can(rc.actor.role, 'customer.assign'),
          release: canWrite && can(rc.actor.role, 'customer.release'),
          claim: row.ownerId === null && can(rc.actor.role, 'pool.claim'),
        },
      };
    },

    async update(rc: RequestContext, id: number, patch: UpdateCustomerInput) {
      if (patch.channel) await assertChannel(patch.channel);
      const phoneHash = patch.phone ? crypto.blindIndex('phone', patch.phone) : null;
      const idNumberHash = patch.idNumber ? crypto.blindIndex('idNumber', patch.idNumber) : null;
      const row = await withDuplicateGuard({ phoneHash, idNumberHash }, id, () =>
        db.transaction(async (t) => {
          const c = await findInScope(rc.actor, id, 'write', t);
          const before = auditSnapshot(c.get({ plain: true }));
          const { phone, idNumber, ...plain } = patch;
          c.set(Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined)));
          if (phone !== undefined || idNumber !== undefined) {
            // null clears the ID number (and what was derived from it); undefined keeps it.
            const keptId = c.idNumberEnc ? sensitiveValue(c, 'idNumber', crypto) : null;
            c.set(sensitiveColumns(phone ?? sensitiveValue(c, 'phone', crypto)!, idNumber === undefined ? keptId : idNumber));
          }
          await c.save({ transaction: t });
          await audit.record(rc, { action: 'update', entityType: 'customer', entityId: id, before, after: auditSnapshot(c.get({ plain: true })) }, t);
          await events.emit({ type: EVENT_TYPES.CustomerUpdated, aggregateType: 'customer', aggregateId: id, actorId: rc.actor.id, payload: { customerId: id, fields: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined) } }, t);
          return c;
        }),
      );
      return view(rc.actor, row);
    },

    /**
     * Moves a customer along the stage table. `within` runs the move inside a caller's transaction;
     * `system` is for moves a workflow makes (an application submitted or sent back), whose caller has
     * already checked the actor's right to act, so the customer need not be in the actor's book.
     */
    async changeStage(rc: RequestContext, id: number, input: { to: Stage; reason?: string }, within?: { transaction: Transaction; system?: boolean }) {
      const move = async (t: Transaction) => {
        const c = within?.system ? await Customer.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : await findInScope(rc.actor, id, 'write', t);
        if (!c) throw notFound('客户不存在或无权查看');
        const from = c.stage;
        if (!canTransition(from, input.to)) {
          throw new AppError(409, 'INVALID_STAGE_TRANSITION', `不能从「${STAGES[from]}」变更为「${STAGES[input.to]}」`, { from, to: input.to });
        }
        const now = new Date();
        await c.update({ stage: input.to, stageChangedAt: now }, { transaction: t });
        await StageChange.create({ customerId: id, fromStage: from, toStage: input.to, actorId: rc.actor.id, reason: input.reason ?? null }, { transaction: t });
        await audit.record(rc, { action: 'stage_change', entityType: 'customer', entityId: id, before: { stage: from }, after: { stage: input.to, reason: input.reason ?? null } }, t);
        await events.emit({ type: EVENT_TYPES.StageChanged, aggregateType: 'customer', aggregateId: id, actorId: rc.actor.id, payload: { customerId: id, from, to: input.to, ownerId: c.ownerId } }, t);
        return c;
      };
      const row = within ? await move(within.transaction) : await db.transaction(move);
      return view(rc.actor, row);
    },

    /** Returns a sensitive value in full; the reveal itself is audited (C28). */
    async reveal(rc: RequestContext, id: number, field: SensitiveField) {
      const access = FIELD_ACCESS[rc.actor.role][field];
      if (access === 'masked') throw new AppError(403, 'FIELD_NOT_REVEALABLE');
      const c = await findInScope(rc.actor, id, 'read');
      // A pool customer's contact details come with claiming it, not before (防飞单).
      if (c.ownerId === null && rc.actor.role !== 'admin') throw new AppError(409, 'CUSTOMER_IN_POOL');
      const value = sensitiveValue(c, field, crypto);
      if (value === null) throw notFound('该字段未登记');
      await audit.record(rc, { action: 'reveal', entityType: 'customer', entityId: id, after: { field } });
      return { field, value };
    },

    async history(rc: RequestContext, id: number) {
      await findInScope(rc.actor, id, 'read');
      const [stages, owners, sms] = await Promise.all([
        StageChange.findAll({ where: { customerId: id }, order: [['id', 'DESC']], raw: true }),
        OwnerChange.findAll({ where: { customerId: id }, order: [['id', 'DESC']], raw: true }),
        // C18: every SMS to the customer with the provider's answer and receipt belongs on the timeline
        // (the 短信 tab shows the same rows with the opt-out switch); phone is last-4 only.
        db.models.SmsMessage.findAll({ where: { customerId: id }, order: [['id', 'DESC']], limit: 50, raw: true }),
      ]);
      const users = await org.usersByIds([...stages.map((s) => s.actorId!), ...owners.flatMap((o) => [o.actorId!, o.fromUserId!, o.toUserId!])]);
      const nameOf = (uid: number | null) => (uid ? (users.get(uid)?.name ?? null) : null);
      return {
        stages: stages.map((s) => ({ id: Number(s.id), from: s.fromStage, fromName: s.fromStage ? STAGES[s.fromStage] : null, to: s.toStage, toName: STAGES[s.toStage], actorName: nameOf(s.actorId), reason: s.reason, at: s.createdAt })),
        owners: owners.map((o) => ({ id: Number(o.id), kind: o.kind, fromUserName: nameOf(o.fromUserId), toUserName: nameOf(o.toUserId), actorName: nameOf(o.actorId), reason: o.reason, at: o.createdAt })),
        sms: sms.map(smsMessageView),
      };
    },

    /** Today's work for the 工作台 tab: follow-ups overdue and due today, and fresh leads. */
    async workbench(rc: RequestContext) {
      const today = shanghaiDate();
      const mine = { ownerId: rc.actor.id, stage: { [Op.notIn]: ['settled', 'bad_debt', 'lost'] } };
      const weekAgo = new Date(Date.now() - 7 * 86400_000);
      const [overdue, dueToday, newLeads] = await Promise.all([
        Customer.findAndCountAll({ where: { ...mine, nextFollowUpDate: { [Op.lt]: today } }, order: [['nextFollowUpDate', 'ASC'], ['id', 'ASC']], limit: 50 }),
        Customer.findAndCountAll({ where: { ...mine, nextFollowUpDate: today }, order: [['id', 'ASC']], limit: 50 }),
        Customer.findAndCountAll({ where: { ownerId: rc.actor.id, stage: 'lead', lastFollowUpAt: null, assignedAt: { [Op.gte]: weekAgo } }, order: [['assignedAt', 'DESC']], limit: 50 }),
      ]);
      const n = await names([...overdue.rows, ...dueToday.rows, ...newLeads.rows]);
      const v = (rows: Customer[]) => rows.map((r) => toCustomerView(r, rc.actor, n, crypto));
      return {
        date: today,
        overdue: { count: overdue.count, items: v(overdue.rows) },
        dueToday: { count: dueToday.count, items: v(dueToday.rows) },
        newLeads: { count: newLeads.count, items: v(newLeads.rows) },
      };
    },
  };

  /** Search: a full phone or ID number by its blind index, 4 digits by the phone's last four, else the name. */
  function searchCondition(q: string): Sql {
    const phone = normalizePhone(q);
    if (phone) return sql('phone_hash = ?', crypto.blindIndex('phone', phone));
    if (/^\d{4}$/.test(q)) return sql('phone_last4 = ?', q);
    const id = parseIdNumber(q);
    if (!('problem' in id)) return sql('id_number_hash = ?', crypto.blindIndex('idNumber', id.idNumber));
    return nameContainsSql(q);
  }
}
export type CustomerService = ReturnType<typeof createCustomerService>;
