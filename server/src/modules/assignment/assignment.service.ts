// Auto-assignment (C7): the ordered rules an admin keeps (CRUD, reorder, enable/disable, each
// change audited) and assigning a new lead without an owner to the first rule that matches and
// can take it. Runs inside the lead's own transaction (called from customers.insertCustomer), so
// the customer, its owner history, the audit row and the bot notice to the new owner commit
// together. Outside working hours a working-hours-only rule queues the lead to the next working
// morning (the `assignment-queue` job) or leaves it in the pool, as the rule says.
import { Op, type Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import type { AssignmentRuleInput } from '../../contracts/assignment';
import type { RuleFacts } from '../../contracts/rules';
import { formatFenShort } from '../../contracts/money';
import { evaluate } from '../rules/evaluate';
import { EVENT_TYPES } from '../events/events.service';
import { addWorkingHours, isWorkingTime } from '../approvals/engine/working-hours';
import type { CustomerRow } from '../customers/customer.model';
import type { AssignmentRule } from './assignment.model';
import { createPicker } from './assignment.picker';

export interface AssignOutcome {
  status: 'assigned' | 'queued' | 'pool';
  ruleId: number | null;
  userId?: number;
  reason?: string;
}

/** What a lead's rules may test, keyed like contracts/rules.ts RULE_FIELDS. */
export function customerFacts(c: CustomerRow, idNumber: string | null): RuleFacts {
  return {
    'customer.channel': c.channel,
    'customer.city': c.city,
    'customer.stage': c.stage,
    'customer.loanAmountFen': c.loanAmountFen,
    'customer.loanTermMonths': c.loanTermMonths,
    'customer.collateral': c.collateral,
    'customer.monthlyIncomeFen': c.monthlyIncomeFen,
    'customer.campaignTags': c.campaignTags,
    'customer.idNumber': idNumber,
    'customer.loanPurpose': c.loanPurpose,
    'customer.createdAt': c.createdAt,
    'customer.lastFollowUpAt': c.lastFollowUpAt,
    'customer.nextFollowUpDate': c.nextFollowUpDate,
    'customer.stageChangedAt': c.stageChangedAt,
  };
}

export function createAssignmentService(deps: Deps, opts: { now?: () => Date } = {}) {
  const { db, audit, events, bot, crypto, log } = deps;
  const { AssignmentRule, AssignmentQueue, Customer, OwnerChange, Department, User } = db.models;
  const now = opts.now ?? (() => new Date(bot.now()));
  const picker = createPicker(db);

  const plain = (r: { get(o: { plain: true }): AssignmentRule }) => r.get({ plain: true });

  async function checkTarget(input: AssignmentRuleInput, t: Transaction) {
    if (input.targetType === 'team') {
      const d = await Department.findByPk(input.targetDepartmentId!, { transaction: t });
      if (!d) throw new AppError(422, 'VALIDATION_FAILED', '团队不存在', { fields: [{ field: 'targetDepartmentId', message: '团队不存在' }] });
    } else {
      const u = await User.findOne({ where: { id: input.targetUserId!, status: 'active', disabledAt: { [Op.is]: null } }, transaction: t });
      if (!u) throw new AppError(422, 'VALIDATION_FAILED', '员工不存在或已停用', { fields: [{ field: 'targetUserId', message: '员工不存在或已停用' }] });
    }
  }

  function columns(input: AssignmentRuleInput) {
    return {
      name: input.name,
      enabled: input.enabled,
      conditions: input.conditions,
      targetType: input.targetType,
      targetDepartmentId: input.targetType === 'team' ? input.targetDepartmentId! : null,
      targetUserId: input.targetType === 'user' ? input.targetUserId! : null,
      strategy: input.strategy,
      dailyCap: input.dailyCap ?? null,
      workingHoursOnly: input.workingHoursOnly,
      outsideHours: input.outsideHours,
    };
  }

  /** Gives the customer to `userId`: owner columns, owner history, audit, and the bot notice, in `t`. */
  async function giveTo(c: CustomerRow, pick: { userId: number; departmentId: number }, rule: AssignmentRule, t: Transaction) {
    const at = now();
    const before = { ownerId: c.ownerId, departmentId: c.departmentId };
    await c.update({ ownerId: pick.userId, departmentId: pick.departmentId, assignedAt: at, pooledAt: null, poolReason: null }, { transaction: t });
    await OwnerChange.create({ customerId: c.id, fromUserId: null, toUserId: pick.userId, kind: 'assign', actorId: null, reason: `自动分配:${rule.name}` }, { transaction: t });
    await audit.record(null, { action: 'auto_assign', entityType: 'customer', entityId: c.id, before, after: { ownerId: pick.userId, departmentId: pick.departmentId, ruleId: rule.id } }, t);
    await events.emit({ type: EVENT_TYPES.OwnerChanged, aggregateType: 'customer', aggregateId: c.id, actorId: null, payload: { customerId: Number(c.id), from: null, to: pick.userId, kind: 'assign', ruleId: rule.id } }, t);
    const fields = [
      { label: '客户', value: c.name },
      { label: '渠道', value: c.channel },
      ...(c.city ? [{ label: '城市', value: c.city }] : []),
      ...(c.loanAmountFen ? [{ label: '意向金额', value: formatFenShort(Number(c.loanAmountFen)) }] : []),
    ];
    await bot.notifyUsers(t, {
      userIds: [pick.userId],
      kind: 'lead_assigned',
      idemKey: `lead_assigned:${c.id}:${pick.userId}`,
      ref: { type: 'customer', id: c.id },
      payload: { title: '新线索已分配给你', text: `${c.name}(${c.channel}),请尽快联系。`, url: `/customers/${c.id}`, fields },
    });
  }

  /** Tries the enabled rules in order; the first that matches and has someone to take the lead wins. */
  async function assign(c: CustomerRow, t: Transaction, opts: { onlyRuleId?: number; ignoreHours?: boolean } = {}): Promise<AssignOutcome> {
    const rules = (await AssignmentRule.findAll({ where: { enabled: true, ...(opts.onlyRuleId ? { id: opts.onlyRuleId } : {}) }, order: [['position', 'ASC'], ['id', 'ASC']], transaction: t })).map(plain);
    if (!rules.length) return { status: 'pool', ruleId: null, reason: '没有启用的分配规则' };
    const at = now();
    const idNumber = c.idNumberEnc ? crypto.decrypt(c.idNumberEnc) : null;
    const facts = customerFacts(c, idNumber);
    const skipped: string[] = [];
    for (const rule of rules) {
      const r = evaluate(rule.conditions, facts, { now: at });
      if (r.problems.length) {
        // Reported, never thrown: the rule's unreadable conditions count as not met, and the admin
        // finds each case in the audit log (entity assignment_rule) as well as in the server log.
        log.warn({ ruleId: rule.id, customerId: c.id, problems: r.problems }, 'assignment rule could not read every field');
        await audit.record(null, { action: 'rule_problem', entityType: 'assignment_rule', entityId: rule.id, after: { customerId: Number(c.id), ruleName: rule.name, matched: r.matched, problems: r.problems } }, t);
      }
      if (!r.matched) continue;
      if (rule.workingHoursOnly && !opts.ignoreHours && !isWorkingTime(at)) {
        if (rule.outsideHours === 'pool') {
          await c.update({ poolReason: '非工作时间进入,按规则放入公海' }, { transaction: t });
          return { status: 'pool', ruleId: rule.id, reason: '非工作时间' };
        }
        const dueAt = addWorkingHours(at, 0);
        await AssignmentQueue.create({ customerId: c.id, ruleId: rule.id, dueAt }, { transaction: t });
        await c.update({ poolReason: '非工作时间进入,待上班后自动分配' }, { transaction: t });
        return { status: 'queued', ruleId: rule.id };
      }
      const pick = await picker.pick(rule, t, at);
      if ('reason' in pick) {
        skipped.push(`${rule.name}:${pick.reason}`);
        continue;
      }
      await giveTo(c, pick, rule, t);
      return { status: 'assigned', ruleId: rule.id, userId: pick.userId };
    }
    return { status: 'pool', ruleId: null, reason: skipped.length ? skipped.join(';') : '没有匹配的分配规则' };
  }

  return {
    customerFacts,

    /** A lead created without an owner (partner intake, import): assign it in its own transaction. */
    async assignNewLead(c: CustomerRow, t: Transaction): Promise<AssignOutcome> {
      return assign(c, t);
    },

    /** The `assignment-queue` job: assigns queued leads whose working morning has come. */
    async runQueue(limit = 200): Promise<{ assigned: number; pooled: number }> {
      const due = await AssignmentQueue.findAll({ where: { status: 'pending', dueAt: { [Op.lte]: now() } }, order: [['dueAt', 'ASC'], ['id', 'ASC']], limit });
      let assigned = 0;
      let pooled = 0;
      for (const item of due) {
        await db.transaction(async (t) => {
          const q = await AssignmentQueue.findByPk(item.id, { transaction: t, lock: t.LOCK.UPDATE });
          if (!q || q.status !== 'pending') return;
          const c = await Customer.findByPk(q.customerId, { transaction: t, lock: t.LOCK.UPDATE });
          if (!c || c.ownerId !== null) {
            await q.update({ status: 'skipped', result: '客户已有负责人或已删除' }, { transaction: t });
            return;
          }
          // The rule that queued it decides first; if it no longer matches or can take it, the others may.
          let out = await assign(c, t, { onlyRuleId: q.ruleId, ignoreHours: true });
          if (out.status !== 'assigned') out = await assign(c, t, { ignoreHours: true });
          if (out.status === 'assigned') assigned++;
          else pooled++;
          await q.update({ status: out.status === 'assigned' ? 'done' : 'skipped', result: out.status === 'assigned' ? `分配给 ${out.userId}` : (out.reason ?? '留在公海') }, { transaction: t });
        });
      }
      return { assigned, pooled };
    },

    async list() {
      const rows = await AssignmentRule.findAll({ order: [['position', 'ASC'], ['id', 'ASC']] });
      return { items: rows.map(plain) };
    },

    async get(id: number) {
      const r = await AssignmentRule.findByPk(id);
      if (!r) throw notFound('分配规则不存在');
      return plain(r);
    },

    async create(rc: RequestContext, input: AssignmentRuleInput) {
      return db.transaction(async (t) => {
        await checkTarget(input, t);
        const max = (await AssignmentRule.max<number, typeof AssignmentRule.prototype>('position', { transaction: t })) ?? 0;
        const r = await AssignmentRule.create({ ...columns(input), position: Number(max) + 1, createdBy: rc.actor.id, updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'assignment_rule', entityId: r.id, after: plain(r) }, t);
        return plain(r);
      });
    },

    async update(rc: RequestContext, id: number, input: AssignmentRuleInput) {
      return db.transaction(async (t) => {
        const r = await AssignmentRule.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!r) throw notFound('分配规则不存在');
        await checkTarget(input, t);
        const before = plain(r);
        await r.update({ ...columns(input), updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'update', entityType: 'assignment_rule', entityId: id, before, after: plain(r) }, t);
        return plain(r);
      });
    },

    async setEnabled(rc: RequestContext, id: number, enabled: boolean) {
      return db.transaction(async (t) => {
        const r = await AssignmentRule.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!r) throw notFound('分配规则不存在');
        if (r.enabled !== enabled) {
          await r.update({ enabled, updatedBy: rc.actor.id }, { transaction: t });
          await audit.record(rc, { action: enabled ? 'enable' : 'disable', entityType: 'assignment_rule', entityId: id }, t);
        }
        return plain(r);
      });
    },

    async remove(rc: RequestContext, id: number) {
      return db.transaction(async (t) => {
        const r = await AssignmentRule.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!r) throw notFound('分配规则不存在');
        const before = plain(r);
        await r.destroy({ transaction: t });
        // Leads it queued are handled by the remaining rules when their morning comes.
        await audit.record(rc, { action: 'delete', entityType: 'assignment_rule', entityId: id, before }, t);
        return { deleted: true };
      });
    },

    /** New order of all rules: `ids` must list every rule exactly once. */
    async reorder(rc: RequestContext, ids: number[]) {
      return db.transaction(async (t) => {
        const rows = await AssignmentRule.findAll({ transaction: t, lock: t.LOCK.UPDATE });
        const known = new Set(rows.map((r) => r.id));
        if (new Set(ids).size !== ids.length || ids.length !== known.size || ids.some((id) => !known.has(id))) {
          throw new AppError(422, 'VALIDATION_FAILED', '规则顺序应包含每条规则各一次', { fields: [{ field: 'ids', message: '规则顺序应包含每条规则各一次' }] });
        }
        const before = [...rows].sort((a, b) => a.position - b.position || a.id - b.id).map((r) => r.id);
        for (const [i, id] of ids.entries()) await AssignmentRule.update({ position: i + 1 }, { where: { id }, transaction: t });
        await audit.record(rc, { action: 'reorder', entityType: 'assignment_rule', entityId: 0, before: { ids: before }, after: { ids } }, t);
        const after = await AssignmentRule.findAll({ order: [['position', 'ASC'], ['id', 'ASC']], transaction: t });
        return { items: after.map(plain) };
      });
    },
  };
}
export type AssignmentService = ReturnType<typeof createAssignmentService>;
