// The engine's hands: runs a flow for an application inside the caller's transaction and writes
// what it decided — tasks (with SLA due times), cc entries, the system trail, domain events and
// bot notices — so a transition and everything it causes commit together.
import type { Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { FlowDefinition } from '../../contracts/approval-flow';
import { EVENT_TYPES } from '../events/events.service';
import type { Application, ApplicationActionRow } from '../applications/application.model';
import type { Row } from '../../db/define';
import { activeAdmins, loadOrgSnapshot, resolveApprovers } from './approver-resolver';
import { advance } from './engine/engine';
import type { Facts } from './engine/types';
import { addWorkingHours } from './engine/working-hours';
import { approvedNotice, ccNotice, taskNotice, type NoticeApp } from './approval.notices';
import type { ApprovalNotice, ApprovalNotifier } from './approval.notifier';
import type { ApprovalTask } from './task.model';
import { riskCardLine } from '../risk/risk.service';

export type AppRow = Row<Application, keyof Application>;

export function factsOf(app: Application): Facts {
  const s = app.customerSnapshot;
  return {
    amountFen: Number(app.amountFen),
    termMonths: app.termMonths,
    product: app.product,
    collateral: app.collateral,
    repaymentMethod: app.repaymentMethod,
    customer: { monthlyIncomeFen: s?.monthlyIncomeFen ?? null, age: s?.age ?? null, city: s?.city ?? null, channel: s?.channel ?? null },
  };
}

/** SLA times for a new task: remind after `slaHours` working hours, tell the supervisor after twice that. */
export function slaTimes(now: Date, slaHours: number | null | undefined) {
  if (!slaHours) return { dueAt: null, escalateAt: null };
  return { dueAt: addWorkingHours(now, slaHours), escalateAt: addWorkingHours(now, slaHours * 2) };
}

export function createApprovalRuntime(deps: Pick<Deps, 'db' | 'org' | 'events'>, notifier: ApprovalNotifier) {
  const { db, org, events } = deps;
  const { ApprovalTask, ApprovalCc, ApplicationAction, Customer } = db.models;

  /** What notices need to say about an application. */
  async function noticeApp(app: Application, t: Transaction): Promise<NoticeApp> {
    const customerName = app.customerSnapshot?.name ?? (await Customer.findByPk(app.customerId, { attributes: ['name'], transaction: t, raw: true }))?.name ?? '客户';
    const applicantName = (await org.usersByIds([app.applicantId])).get(app.applicantId)?.name ?? '—';
    const risk = await riskCardLine(deps, Number(app.id), app.round, t);
    return { id: Number(app.id), product: app.product, amountFen: Number(app.amountFen), termMonths: app.termMonths, customerName, applicantName, submittedAt: app.submittedAt, risk };
  }

  async function trail(t: Transaction, entries: Omit<ApplicationActionRow, 'id' | 'createdAt' | 'idemKey' | 'taskId'>[]) {
    for (const e of entries) await ApplicationAction.create({ ...e, taskId: null, idemKey: null }, { transaction: t });
  }

  /** Creates tasks (one row each, so every id is known for its card) with their events and notices. */
  async function createTasks(t: Transaction, app: AppRow, specs: { nodeId: string; nodeName: string; branchId: string | null; branchName: string | null; assigneeId: number; slaHours: number | null; delegatedFromId?: number }[], na: NoticeApp) {
    const now = new Date();
    const created: Row<ApprovalTask, keyof ApprovalTask>[] = [];
    const notices: ApprovalNotice[] = [];
    for (const s of specs) {
      const task = await ApprovalTask.create(
        { applicationId: app.id, round: app.round, nodeId: s.nodeId, nodeName: s.nodeName, branchId: s.branchId, branchName: s.branchName, assigneeId: s.assigneeId, status: 'pending', delegatedFromId: s.delegatedFromId ?? null, ...slaTimes(now, s.slaHours) },
        { transaction: t },
      );
      created.push(task as Row<ApprovalTask, keyof ApprovalTask>);
      notices.push(taskNotice(na, { id: Number(task.id), assigneeId: s.assigneeId, nodeName: s.branchName ? `${s.nodeName} · ${s.branchName}` : s.nodeName }));
    }
    await events.emitMany(
      created.map((task) => ({
        type: EVENT_TYPES.ApprovalTaskCreated,
        aggregateType: 'application',
        aggregateId: app.id,
        payload: { applicationId: Number(app.id), taskId: Number(task.id), assigneeId: task.assigneeId, nodeId: task.nodeId, round: app.round, dueAt: task.dueAt },
      })),
      t,
    );
    await notifier.notify(t, notices);
    return created;
  }

  return {
    noticeApp,
    createTasks,

    /**
     * Runs the flow from `startId` (null: the first node) for the application's current round and
     * records the outcome: waiting at a node with its tasks, or approved. `announce`: tell the
     * applicant when it ends approved (a decision's own notice already says so).
     */
    async run(t: Transaction, app: AppRow, def: FlowDefinition, startId: string | null, announce = true): Promise<'waiting' | 'approved'> {
      const orgChart = await loadOrgSnapshot(db.models, t);
      const result = await advance(def, startId, {
        facts: factsOf(app),
        resolve: async (rule) => resolveApprovers(rule, app.applicantId, orgChart),
        admins: async () => activeAdmins(orgChart, app.applicantId),
      });
      const na = await noticeApp(app, t);
      await trail(t, result.trail.map((e) => ({ applicationId: app.id, round: app.round, nodeId: e.nodeId, nodeName: e.nodeName, actorId: null, action: e.action, comment: null, data: e.data ?? null })));
      for (const cc of result.cc) {
        if (!cc.userIds.length) continue;
        await ApprovalCc.bulkCreate(cc.userIds.map((userId) => ({ applicationId: app.id, round: app.round, nodeId: cc.nodeId, userId })), { transaction: t, ignoreDuplicates: true });
        await notifier.notify(t, [ccNotice(na, { userIds: cc.userIds, nodeId: cc.nodeId, round: app.round })]);
      }
      if (result.state === 'waiting') {
        await app.update({ currentNodeId: result.nodeId, currentNodeName: result.nodeName }, { transaction: t });
        await createTasks(t, app, result.tasks, na);
        return 'waiting';
      }
      const now = new Date();
      await app.update({ status: 'approved', decidedAt: now, currentNodeId: null, currentNodeName: null }, { transaction: t });
      await trail(t, [{ applicationId: app.id, round: app.round, nodeId: null, nodeName: null, actorId: null, action: 'approved', comment: null, data: null }]);
      await events.emit({ type: EVENT_TYPES.ApplicationDecided, aggregateType: 'application', aggregateId: app.id, payload: { applicationId: Number(app.id), customerId: Number(app.customerId), outcome: 'approved', round: app.round } }, t);
      if (announce) await notifier.notify(t, [approvedNotice(na, app.applicantId, app.round)]);
      return 'approved';
    },

    /** Closes tasks nobody needs to act on any more (the node was decided, withdrawn or returned). */
    async cancelTasks(t: Transaction, ids: number[]) {
      if (ids.length) await ApprovalTask.update({ status: 'cancelled', decidedAt: new Date() }, { where: { id: ids, status: 'pending' }, transaction: t });
    },
  };
}
export type ApprovalRuntime = ReturnType<typeof createApprovalRuntime>;
