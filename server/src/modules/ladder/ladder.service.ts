// The follow-up ladder (C8): scans customers whose clock (last follow-up or assignment, or the time a
// sub-status was set) passed a step's wait, and fires the step once per customer + step + occurrence.
// The scan is windowed and keyset-paginated over indexed columns: each step keeps the cutoff of its
// last completed scan (`scanned_to`) and the next scan reads only what crossed the line since (less
// an hour of slack for late commits), in batches, so its memory is constant and its work is what is
// new. A firing row (unique key) is written in the same transaction as its messages, task and pool
// release; the customer row is locked first, so neither a restart nor a second instance fires twice.
import { Op, UniqueConstraintError, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import { OPEN_STAGES, STAGES } from '../../contracts/stages';
import { SUB_STATUSES, type SubStatus, type UpdateLadderStepInput } from '../../contracts/ladder';
import type { Customer, CustomerRow } from '../customers/customer.model';
import { createCustomerService, type CustomerService } from '../customers/customer.service';
import { createOwnershipService, type OwnershipService } from '../customers/ownership.service';
import type { LadderStep } from './ladder.model';
import { maySendAt, stepCutoff } from './ladder.clock';
import { createSmsService } from '../sms/sms.service';

const BATCH = 2000;
const SLACK_MS = 3_600_000;

type ScanColumn = 'lastFollowUpAt' | 'assignedAt' | 'subStatusAt';
type ScanRow = Pick<Customer, 'id' | 'ownerId' | 'stage' | 'lastFollowUpAt' | 'assignedAt' | 'subStatus' | 'subStatusAt'>;
// What each scan reads: for idle steps exactly the columns of the covering indexes.
const SCAN_ATTRIBUTES: Record<LadderStep['trigger'], (keyof ScanRow)[]> = {
  idle: ['id', 'ownerId', 'stage', 'lastFollowUpAt', 'assignedAt'],
  sub_status: ['id', 'ownerId', 'stage', 'subStatus', 'subStatusAt'],
};

export interface StepRunResult {
  code: string;
  scanned: number;
  due: number;
  fired: number;
}

export interface LadderRunResult {
  deferred: boolean;
  dryRun: boolean;
  scanned: number;
  fired: number;
  steps: StepRunResult[];
}

function ms(v: Date | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const t = v instanceof Date ? v.getTime() : new Date(v).getTime();
  return Number.isNaN(t) ? null : t;
}

/** When the clock of a step's occurrence started for this customer (null: nothing to wait on). */
export function occurrenceOf(step: Pick<LadderStep, 'trigger' | 'subStatus'>, c: Pick<Customer, 'lastFollowUpAt' | 'assignedAt' | 'subStatus' | 'subStatusAt'>): number | null {
  if (step.trigger === 'sub_status') return c.subStatus === step.subStatus ? ms(c.subStatusAt) : null;
  const a = ms(c.lastFollowUpAt);
  const b = ms(c.assignedAt);
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function daysText(step: LadderStep) {
  return step.waitUnit === 'hours' ? `${step.waitValue} 小时` : `${step.waitValue} 个工作日`;
}

export function createLadderService(deps: Deps, customers: CustomerService, ownership: OwnershipService) {
  const { db, bot, audit } = deps;
  const { Customer, LadderStep, LadderFiring, User, Task } = db.models;
  const sms = createSmsService(deps);

  /** Idle steps are superseded by the next longer one: a customer 8 days idle is released, not reminded. */
  function supersededBefore(step: LadderStep, steps: LadderStep[], now: number): number | null {
    if (step.trigger !== 'idle') return null;
    const longer = steps
      .filter((s) => s.trigger === 'idle' && s.enabled && s.waitUnit === step.waitUnit && s.waitValue > step.waitValue)
      .sort((a, b) => a.waitValue - b.waitValue)[0];
    return longer ? stepCutoff(now, { value: longer.waitValue, unit: longer.waitUnit }) : null;
  }

  async function* scanColumn(step: LadderStep, column: ScanColumn, from: number | null, to: number) {
    let after: { v: Date; id: number } | null = null;
    for (;;) {
      // Owned, open customers only (filtered inside the index, not in Node).
      const and: WhereOptions<Customer>[] = [{ [column]: { [Op.lte]: new Date(to) } }, { ownerId: { [Op.ne]: null } }, { stage: OPEN_STAGES as string[] }];
      if (from !== null) and.push({ [column]: { [Op.gt]: new Date(from) } });
      if (step.trigger === 'sub_status') and.push({ subStatus: step.subStatus });
      if (after) and.push({ [Op.or]: [{ [column]: { [Op.gt]: after.v } }, { [column]: after.v, id: { [Op.gt]: after.id } }] } as WhereOptions<Customer>);
      const rows = (await Customer.findAll({ attributes: SCAN_ATTRIBUTES[step.trigger], where: { [Op.and]: and }, order: [[column, 'ASC'], ['id', 'ASC']], limit: BATCH, raw: true })) as unknown as ScanRow[];
      if (!rows.length) return;
      yield rows;
      const last = rows[rows.length - 1]!;
      after = { v: new Date(ms(last[column])!), id: Number(last.id) };
      if (rows.length < BATCH) return;
    }
  }

  function isDue(step: LadderStep, c: ScanRow, column: ScanColumn, cutoff: number, floor: number | null): number | null {
    if (c.ownerId === null || !OPEN_STAGES.includes(c.stage)) return null;
    const occ = occurrenceOf(step, c);
    // Each row is handled by the scan of the column its occurrence comes from (no double counting).
    if (occ === null || occ > cutoff || occ !== ms(c[column])) return null;
    if (floor !== null && occ <= floor) return null;
    return occ;
  }

  async function scanStep(step: LadderStep, steps: LadderStep[], now: number, dryRun: boolean): Promise<StepRunResult> {
    const cutoff = stepCutoff(now, { value: step.waitValue, unit: step.waitUnit });
    const floor = supersededBefore(step, steps, now);
    const since = ms(step.scannedTo);
    const windowFrom = since === null ? floor : Math.max(since - SLACK_MS, floor ?? -Infinity);
    const columns: ScanColumn[] = step.trigger === 'idle' ? ['lastFollowUpAt', 'assignedAt'] : ['subStatusAt'];
    const r: StepRunResult = { code: step.code, scanned: 0, due: 0, fired: 0 };
    for (const column of columns) {
      for await (const rows of scanColumn(step, column, windowFrom, cutoff)) {
        r.scanned += rows.length;
        const due: { c: ScanRow; occ: number }[] = [];
        for (const c of rows) {
          const occ = isDue(step, c, column, cutoff, floor);
          if (occ !== null) due.push({ c, occ });
        }
        if (!due.length) continue;
        const done = await LadderFiring.findAll({ attributes: ['customerId', 'occurrence'], where: { stepId: step.id, customerId: due.map((d) => d.c.id) }, raw: true });
        const fired = new Set(done.map((f) => `${f.customerId}:${ms(f.occurrence)}`));
        for (const d of due) {
          if (fired.has(`${d.c.id}:${d.occ}`)) continue;
          r.due++;
          if (dryRun) continue;
          if (await fire(step, Number(d.c.id), d.occ, now)) r.fired++;
        }
      }
    }
    if (!dryRun) await LadderStep.update({ scannedTo: new Date(cutoff) }, { where: { id: step.id } });
    return r;
  }

  /** Fires one step for one customer, once: false when it no longer applies or already fired. */
  async function fire(step: LadderStep, customerId: number, occ: number, now: number): Promise<boolean> {
    try {
      return await db.transaction(async (t) => {
        const c = await Customer.findByPk(customerId, { transaction: t, lock: t.LOCK.UPDATE });
        if (!c || c.ownerId === null || !OPEN_STAGES.includes(c.stage) || occurrenceOf(step, c) !== occ) return false;
        const key = { customerId, stepId: step.id, occurrence: new Date(occ) };
        if (await LadderFiring.count({ where: key, transaction: t })) return false;
        const ownerId = c.ownerId;
        const owner = await User.findByPk(ownerId, { transaction: t, raw: true });
        const a = step.actions;
        await LadderFiring.create({ ...key, ownerId, outcome: a.releaseToPool ? 'released' : 'notified' }, { transaction: t });
        const idemKey = `ladder:${customerId}:${step.id}:${occ}`;
        const ref = { type: 'customer', id: customerId };
        const url = `/customers/${customerId}`;
        const fields = [
          { label: '客户', value: c.name },
          { label: '阶段', value: STAGES[c.stage] },
          { label: '上次跟进', value: c.lastFollowUpAt ? shanghaiTime(c.lastFollowUpAt) : '从未跟进' },
        ];
        const idleText = `客户 ${c.name} 已 ${daysText(step)}未跟进`;
        if (a.remindOwner) {
          await bot.notifyUsers(t, { userIds: [ownerId], kind: 'ladder_reminder', idemKey, ref, payload: { title: '跟进提醒', text: `${idleText},请尽快联系。`, url, fields } });
          await createTask(t, { userId: ownerId, title: `跟进 ${c.name}(${daysText(step)}未跟进)`, customerId, dueAt: new Date(now), sourceKey: idemKey });
        }
        if (a.copySupervisor && owner?.supervisorId) {
          await bot.notifyUsers(t, { userIds: [owner.supervisorId], kind: 'ladder_reminder', idemKey: `${idemKey}:sup`, ref, payload: { title: '跟进提醒(抄送)', text: `${owner.name} 的${idleText}。`, url, fields } });
        }
        if (a.releaseToPool) {
          await ownership.releaseBySystem(t, c, `${daysText(step)}未跟进,按跟进规则退回公海`);
          await bot.notifyUsers(t, { userIds: [ownerId], kind: 'ladder_release', idemKey: `${idemKey}:release`, ref, payload: { title: '客户已退回公海', text: `${idleText},已按跟进规则退回公海。`, url, fields } });
        }
        if (a.smsCustomer) {
          // Through the SMS module (purpose missing_documents): queued in this transaction under the
          // firing's key, sent within SMS hours by the sms-send job; opted-out customers get none.
          await sms.queueOne(t, { businessKey: `${idemKey}:sms`, customerId, purpose: 'missing_documents' });
        }
        if (a.createTask) {
          const what = step.trigger === 'sub_status' ? `${SUB_STATUSES[step.subStatus as SubStatus] ?? step.subStatus}超过 ${daysText(step)}` : `${daysText(step)}未跟进`;
          await createTask(t, { userId: ownerId, title: `${c.name}:${what}`, customerId, dueAt: new Date(now), sourceKey: `${idemKey}:task` });
          if (!a.remindOwner) {
            await bot.notifyUsers(t, { userIds: [ownerId], kind: 'ladder_reminder', idemKey, ref, payload: { title: '待办提醒', text: `客户 ${c.name} ${what},请跟进。`, url, fields } });
          }
        }
        return true;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintError) return false; // another run fired it first
      throw err;
    }
  }

  async function createTask(t: Parameters<Parameters<typeof db.transaction>[0]>[0], input: { userId: number; title: string; customerId: number; dueAt: Date; sourceKey: string }) {
    await Task.bulkCreate([{ ...input, kind: 'ladder', title: input.title.slice(0, 100) }], { transaction: t, ignoreDuplicates: true });
  }

  async function steps() {
    return LadderStep.findAll({ order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
  }

  return {
    /**
     * One ladder pass. Outside business hours (weekends, 21:00–08:00 Shanghai) it defers: nothing is
     * scanned and the cursors stay, so the next pass in hours catches up. `dryRun` reads only.
     */
    async run(opts: { now?: number; dryRun?: boolean; ignoreQuietHours?: boolean } = {}): Promise<LadderRunResult> {
      const now = opts.now ?? bot.now();
      const dryRun = opts.dryRun ?? false;
      const result: LadderRunResult = { deferred: false, dryRun, scanned: 0, fired: 0, steps: [] };
      if (!opts.ignoreQuietHours && !maySendAt(now)) return { ...result, deferred: true };
      const all = await steps();
      for (const step of all.filter((s) => s.enabled)) {
        const r = await scanStep(step, all, now, dryRun);
        result.steps.push(r);
        result.scanned += r.scanned;
        result.fired += dryRun ? r.due : r.fired;
      }
      return result;
    },

    async listSteps() {
      return (await steps()).map((s) => s.get({ plain: true }));
    },

    /** An admin edits a step; a changed wait restarts its cursor (firings already made stay made). */
    async updateStep(rc: RequestContext, id: number, input: UpdateLadderStepInput) {
      return db.transaction(async (t) => {
        const step = await LadderStep.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!step) throw notFound('跟进规则不存在');
        const before = step.get({ plain: true });
        const patch: Partial<LadderStep> = { ...input };
        if (input.waitValue !== undefined && input.waitValue !== step.waitValue) patch.scannedTo = null;
        if (input.enabled === true && !step.enabled) patch.scannedTo = null;
        await step.update(patch, { transaction: t });
        await audit.record(rc, { action: 'update', entityType: 'ladder_step', entityId: id, before, after: input }, t);
        return step.get({ plain: true });
      });
    },

    async getSubStatus(rc: RequestContext, customerId: number) {
      const c = await customers.findInScope(rc.actor, customerId, 'read');
      return { id: customerId, subStatus: c.subStatus, subStatusAt: c.subStatusAt };
    },

    /** The officer marks a customer (e.g. 待补充资料) or clears it; setting it again restarts its clock. */
    async setSubStatus(rc: RequestContext, customerId: number, subStatus: SubStatus | null) {
      return db.transaction(async (t) => {
        const c: CustomerRow = await customers.findInScope(rc.actor, customerId, 'write', t);
        if (c.subStatus === subStatus) return { id: customerId, subStatus: c.subStatus, subStatusAt: c.subStatusAt };
        if (subStatus && !OPEN_STAGES.includes(c.stage)) throw new AppError(422, 'VALIDATION_FAILED', '已结束的客户不能设置子状态');
        const before = { subStatus: c.subStatus };
        await c.update({ subStatus, subStatusAt: subStatus ? new Date(bot.now()) : null }, { transaction: t });
        await audit.record(rc, { action: 'sub_status', entityType: 'customer', entityId: customerId, before, after: { subStatus } }, t);
        return { id: customerId, subStatus: c.subStatus, subStatusAt: c.subStatusAt };
      });
    },
  };
}

function shanghaiTime(d: Date): string {
  const s = new Date(d.getTime() + 8 * 3_600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

export type LadderService = ReturnType<typeof createLadderService>;

/** The ladder with the customer services it needs, for callers outside the app (the bot job, bench). */
export function ladderFromDeps(deps: Deps): LadderService {
  const customers = createCustomerService(deps);
  return createLadderService(deps, customers, createOwnershipService(deps, customers));
}
