// The follow-up ladder (C8): scans customers whose clock (last follow-up or assignment, or the time a
// sub-status was set) passed a step's wait, and fires the step once per customer + step + occurrence.
// The scan is windowed and keyset-paginated over covering indexes: each step keeps the cutoff of its
// last completed sweep (`scanned_to`) and the next sweep reads only what crossed the line since (less
// an hour of slack for late commits), in batches, so its memory is constant and its work is what is
// new. A pass has a time budget (≤ 2 s): a sweep that cannot finish in it (the first one over an old
// book, or after a long outage) saves its keyset position and the following passes resume it. A firing row (unique key) is written in the same transaction as its messages, task and pool
// release; the customer row is locked first, so neither a restart nor a second instance fires twice.
import { UniqueConstraintError } from 'sequelize';
import type { Deps } from '../../deps';
import { and, sql } from '../../db/sql';
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

const BATCH = 1000; // small pages: a pass overruns its budget by at most one page per step
const SLACK_MS = 3_600_000;
/** Reading and deciding (the scan) stops after this long a pass, so a pass scans for ≤ 2 s. */
export const PASS_BUDGET_MS = 1_200;
/**
 * Firing (a transaction per customer: messages, task, pool release) stops after this long a pass:
 * half the job's 10-minute lease, so a pass ends inside its lease and before the next 15-minute run.
 */
export const FIRE_BUDGET_MS = 5 * 60_000;

type ScanColumn = 'lastFollowUpAt' | 'assignedAt' | 'subStatusAt';
type ScanRow = Pick<Customer, 'id' | 'ownerId' | 'stage' | 'lastFollowUpAt' | 'assignedAt' | 'subStatus' | 'subStatusAt'>;

export interface StepRunResult {
  code: string;
  scanned: number;
  due: number;
  fired: number;
  /** This pass continued a sweep an earlier pass had to stop. */
  resumed: boolean;
  /** The pass's time ran out before the sweep reached the step's cutoff; the next pass resumes it. */
  pending: boolean;
  /** Customers whose firing failed twice (logged and passed over). */
  failed: number;
  /** Time spent reading and deciding, and inside firings. */
  scanMs: number;
  fireMs: number;
}

export interface LadderRunResult {
  deferred: boolean;
  dryRun: boolean;
  scanned: number;
  fired: number;
  /** Some step has a backlog left for the next pass. */
  pending: boolean;
  /** Firings that failed (see StepRunResult.failed). */
  failed: number;
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
  const { db, bot, audit, log } = deps;
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

  const COLUMN_SQL: Record<ScanColumn, string> = { lastFollowUpAt: 'last_follow_up_at', assignedAt: 'assigned_at', subStatusAt: 'sub_status_at' };
  const SELECT_SQL: Record<LadderStep['trigger'], string> = {
    idle: 'SELECT id, owner_id AS ownerId, stage, last_follow_up_at AS lastFollowUpAt, assigned_at AS assignedAt FROM customers',
    sub_status: 'SELECT id, owner_id AS ownerId, stage, sub_status AS subStatus, sub_status_at AS subStatusAt FROM customers',
  };

  /** One keyset page of a column's index range (from, to] after `after`: owned open customers, in index order. */
  async function scanPage(step: LadderStep, column: ScanColumn, from: number | null, to: number, after: { v: number; id: number } | null): Promise<ScanRow[]> {
    const col = COLUMN_SQL[column];
    // Owned, open customers only (filtered inside the covering index, not in Node).
    const parts = [sql(`${col} <= ?`, new Date(to)), sql('owner_id IS NOT NULL'), sql('stage IN (?)', OPEN_STAGES as string[])];
    if (from !== null) parts.push(sql(`${col} > ?`, new Date(from)));
    if (step.trigger === 'sub_status') parts.push(sql('sub_status = ?', step.subStatus));
    if (after) parts.push(sql(`${col} > ? OR (${col} = ? AND id > ?)`, new Date(after.v), new Date(after.v), after.id));
    const cond = and(parts);
    return db.select<ScanRow>(sql(`${SELECT_SQL[step.trigger]} WHERE ${cond.text} ORDER BY ${col}, id LIMIT ?`, ...cond.params, BATCH));
  }

  function isDue(step: LadderStep, c: ScanRow, column: ScanColumn, cutoff: number, floor: number | null): number | null {
    if (c.ownerId === null || !OPEN_STAGES.includes(c.stage)) return null;
    const occ = occurrenceOf(step, c);
    // Each row is handled by the scan of the column its occurrence comes from (no double counting).
    if (occ === null || occ > cutoff || occ !== ms(c[column])) return null;
    if (floor !== null && occ <= floor) return null;
    return occ;
  }

  /**
   * One step's share of a pass. A sweep walks the clock range (from, to] of each of the step's
   * columns in index order; a new sweep starts at the previous one's end (less the slack) and runs
   * to the step's current cutoff. When the step's share of the pass is used up (scan or firing time),
   * the sweep stops after the last customer handled and its position is saved on the step, so the
   * next pass resumes there: a large backlog (a first pass, or after an outage) drains over passes.
   */
  async function scanStep(step: LadderStep, steps: LadderStep[], now: number, opts: { dryRun: boolean; persist: boolean; scanMs: number; fireMs: number }): Promise<StepRunResult> {
    const t0 = performance.now();
    let fireMs = 0;
    const scanMs = () => performance.now() - t0 - fireMs;
    const outOfTime = () => scanMs() >= opts.scanMs || fireMs >= opts.fireMs;
    const cutoff = stepCutoff(now, { value: step.waitValue, unit: step.waitUnit });
    // Below the next longer step's line a customer belongs to that step (checked on every pass, as it moves).
    const floor = supersededBefore(step, steps, now);
    const columns: ScanColumn[] = step.trigger === 'idle' ? ['lastFollowUpAt', 'assignedAt'] : ['subStatusAt'];
    const resumed = step.sweepTo !== null && columns.includes(step.sweepColumn as ScanColumn);
    const since = ms(step.scannedTo);
    const sweep = resumed
      ? { from: ms(step.sweepFrom), to: ms(step.sweepTo)!, column: step.sweepColumn as ScanColumn, after: step.sweepAfterAt ? { v: ms(step.sweepAfterAt)!, id: Number(step.sweepAfterId) } : null }
      : { from: since === null ? null : since - SLACK_MS, to: cutoff, column: columns[0]!, after: null as { v: number; id: number } | null };
    const r: StepRunResult = { code: step.code, scanned: 0, due: 0, fired: 0, resumed, pending: false, failed: 0, scanMs: 0, fireMs: 0 };
    let stopped = false;
    let progressed = false; // every pass handles at least one non-empty page / one firing, whatever the budget
    for (const column of columns.slice(columns.indexOf(sweep.column))) {
      if (column !== sweep.column) Object.assign(sweep, { column, after: null });
      const lower = sweep.from === null ? floor : Math.max(sweep.from, floor ?? -Infinity);
      for (;;) {
        if (progressed && outOfTime()) { stopped = true; break; }
        const rows = await scanPage(step, column, lower, sweep.to, sweep.after);
        const due: { c: ScanRow; occ: number }[] = [];
        for (const c of rows) {
          const occ = isDue(step, c, column, cutoff, floor);
          if (occ !== null) due.push({ c, occ });
        }
        const done = due.length
          ? await db.select<{ customerId: number; occurrence: Date | string }>(sql('SELECT customer_id AS customerId, occurrence FROM ladder_firings WHERE step_id = ? AND customer_id IN (?)', step.id, due.map((d) => Number(d.c.id))))
          : [];
        const fired = new Set(done.map((f) => `${f.customerId}:${ms(f.occurrence)}`));
        const dueById = new Map(due.map((d) => [Number(d.c.id), d.occ]));
        // Rows in index order; the position moves past a row only once it is handled.
        for (const c of rows) {
          const occ = dueById.get(Number(c.id));
          if (occ !== undefined && !fired.has(`${c.id}:${occ}`)) {
            if (!opts.dryRun && r.due > 0 && outOfTime()) { stopped = true; break; }
            r.due++;
            if (!opts.dryRun) {
              const f0 = performance.now();
              if (await fireSafely(step, Number(c.id), occ, now, r)) r.fired++;
              fireMs += performance.now() - f0;
            }
          }
          r.scanned++;
          sweep.after = { v: ms(c[column])!, id: Number(c.id) };
        }
        progressed ||= rows.length > 0;
        if (stopped || rows.length < BATCH) break;
      }
      if (stopped) break;
    }
    r.pending = stopped;
    r.fireMs = Math.round(fireMs);
    r.scanMs = Math.round(scanMs());
    if (opts.persist) {
      const patch: Partial<LadderStep> = stopped
        ? { sweepFrom: sweep.from === null ? null : new Date(sweep.from), sweepTo: new Date(sweep.to), sweepColumn: sweep.column, sweepAfterAt: sweep.after ? new Date(sweep.after.v) : null, sweepAfterId: sweep.after?.id ?? null }
        : { scannedTo: new Date(sweep.to), sweepFrom: null, sweepTo: null, sweepColumn: null, sweepAfterAt: null, sweepAfterId: null };
      // Only if nobody restarted the step meanwhile (an admin changing its wait clears the sweep).
      await LadderStep.update(patch, { where: { id: step.id, waitValue: step.waitValue, waitUnit: step.waitUnit, enabled: true } });
    }
    return r;
  }

  /**
   * fire(), tried twice (a deadlock or lost connection is usually gone the second time); a customer
   * that still fails is logged, counted in the pass's result (the job's summary shows it) and passed
   * over, so one bad row never stops the ladder for everyone else. Its step is not marked fired.
   */
  async function fireSafely(step: LadderStep, customerId: number, occ: number, now: number, r: StepRunResult): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fire(step, customerId, occ, now);
      } catch (err) {
        if (attempt < 2) continue;
        r.failed++;
        log.error({ err, step: step.code, customerId }, 'ladder step could not fire for this customer');
        return false;
      }
    }
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
     * scanned and the cursors stay, so the next pass in hours catches up. A pass scans for at most
     * `budgetMs` and fires for at most `fireBudgetMs` (the steps share each in order, a step that
     * finishes early leaving its share to the rest); what is left is resumed by the next pass.
     * `dryRun` reads only (and keeps the cursors unless `persist`, which the benchmark uses to
     * measure how a backlog drains).
     */
    async run(opts: { now?: number; dryRun?: boolean; ignoreQuietHours?: boolean; budgetMs?: number; fireBudgetMs?: number; persist?: boolean } = {}): Promise<LadderRunResult> {
      const now = opts.now ?? bot.now();
      const dryRun = opts.dryRun ?? false;
      const persist = opts.persist ?? !dryRun;
      const result: LadderRunResult = { deferred: false, dryRun, scanned: 0, fired: 0, pending: false, failed: 0, steps: [] };
      if (!opts.ignoreQuietHours && !maySendAt(now)) return { ...result, deferred: true };
      let scanLeft = opts.budgetMs ?? PASS_BUDGET_MS;
      let fireLeft = opts.fireBudgetMs ?? FIRE_BUDGET_MS;
      const all = await steps();
      const enabled = all.filter((s) => s.enabled);
      for (const [i, step] of enabled.entries()) {
        const left = enabled.length - i;
        const r = await scanStep(step, all, now, { dryRun, persist, scanMs: Math.max(0, scanLeft) / left, fireMs: Math.max(0, fireLeft) / left });
        scanLeft -= r.scanMs;
        fireLeft -= r.fireMs;
        result.steps.push(r);
        result.scanned += r.scanned;
        result.fired += dryRun ? r.due : r.fired;
        result.pending ||= r.pending;
        result.failed += r.failed;
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
        // A new line (or a step back on) starts over from a cold sweep; firings already made stay made.
        const restart = { scannedTo: null, sweepFrom: null, sweepTo: null, sweepColumn: null, sweepAfterAt: null, sweepAfterId: null };
        if (input.waitValue !== undefined && input.waitValue !== step.waitValue) Object.assign(patch, restart);
        if (input.enabled === true && !step.enabled) Object.assign(patch, restart);
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
