// Loan applications (进件) and their approval (C11, C13): drafts, submit and resubmit, decisions
// (approve / reject / return), withdraw, delegate, comments. Every transition runs in one
// transaction that first locks the application row (SELECT … FOR UPDATE on MySQL; SQLite
// serialises writers), so simultaneous decisions yield one outcome; a decision repeated by the
// same person (a double tap, a redelivered chat event) is answered from the record, not re-applied.
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { Actor, RequestContext } from '../../http/context';
import { AppError, conflict, forbidden, notFound } from '../../http/errors';
import {
  APPLICATION_STATUSES, DECISIONS, EDITABLE_STATUSES, type ApplicationAction as ActionName,
  type CreateApplicationInput, type Decision, type DelegateTaskInput, type ListApplicationsQuery, type UpdateApplicationInput,
} from '../../contracts/applications';
import { STAGES } from '../../contracts/stages';
import { approvalSteps, findNode, successorId } from '../approvals/flow.definition';
import { resubmitStart, verdict } from '../approvals/engine/engine';
import { createApprovalRuntime, type AppRow } from '../approvals/approval.runtime';
import { decisionNotice, withdrawnNotice } from '../approvals/approval.notices';
import type { ApprovalNotifier } from '../approvals/approval.notifier';
import type { FlowService } from '../approvals/flow.service';
import type { ApprovalTask } from '../approvals/task.model';
import type { CustomerService } from '../customers/customer.service';
import { toCustomerView } from '../customers/customer.view';
import { EVENT_TYPES } from '../events/events.service';
import type { Row } from '../../db/define';
import type { Application, CustomerSnapshot } from './application.model';
import { applicationScope } from './application.scope';
import { can } from '../../contracts/roles';
import { createRiskService, RiskRejectedError } from '../risk/risk.service';
import { createProductService } from '../products/product.service';
import { factsView, toApplicationItem, toDocumentView, toTaskView, toTimelineEntry, type NameOf } from './application.view';

type TaskRow = Row<ApprovalTask, keyof ApprovalTask>;

export interface DecideInput {
  applicationId?: number;
  taskId?: number;
  action: Decision;
  comment?: string | null;
  /** A key the caller will send again on a retry (e.g. the chat event id): the retry is the same decision. */
  idempotencyKey?: string | null;
  /** The chat card the decision was tapped on (WeCom task_id / DingTalk outTrackId): its update is the callback's. */
  cardRef?: string | null;
}

export interface DecideResult {
  applicationId: number;
  taskId: number;
  action: Decision;
  /** True when this call repeated a decision already recorded (nothing changed). */
  replayed: boolean;
  status: Application['status'];
  statusName: string;
  nodeName: string;
  deciderName: string;
  /** Other approvers' tasks this decision closed (their chat cards say who handled it). */
  closedTaskIds: number[];
}

const DECIDED = ['approved', 'rejected', 'returned'] as const;
const TASK_STATUS_OF: Record<Decision, 'approved' | 'rejected' | 'returned'> = { approve: 'approved', reject: 'rejected', return: 'returned' };

export function createApplicationService(deps: Deps, customers: CustomerService, flows: FlowService, notifier: ApprovalNotifier) {
  const { db, org, audit, events, crypto } = deps;
  const { Application, ApplicationAction, ApplicationDocument, ApprovalTask, ApprovalCc, Customer, User } = db.models;
  const runtime = createApprovalRuntime(deps, notifier);
  const risk = createRiskService(deps);
  const products = createProductService(deps, customers);

  async function nameOf(ids: (number | null | undefined)[]): Promise<NameOf> {
    const users = await org.usersByIds(ids.filter((x): x is number => typeof x === 'number'));
    return (id) => (id ? (users.get(id)?.name ?? null) : null);
  }

  /** The application if the actor may see it; anything else is "not found". */
  async function findReadable(actor: Actor, id: number, t?: Transaction): Promise<AppRow> {
    const row = await Application.findOne({ where: { [Op.and]: [{ id }, await applicationScope(actor, org)] } as WhereOptions<Application>, transaction: t });
    if (!row) throw notFound('进件不存在或无权查看');
    return row as AppRow;
  }

  /** Locks the application row: the first statement of every transition (see the module header). */
  async function lock(t: Transaction, id: number): Promise<AppRow> {
    const row = await Application.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
    if (!row) throw notFound('进件不存在或无权查看');
    return row as AppRow;
  }

  async function assertReadable(actor: Actor, id: number, t: Transaction) {
    const n = await Application.count({ where: { [Op.and]: [{ id }, await applicationScope(actor, org)] } as WhereOptions<Application>, transaction: t });
    if (!n) throw notFound('进件不存在或无权查看');
  }

  /** Only the applicant drafts, submits and withdraws; others who can see it get 403, the rest 404. */
  async function assertApplicant(actor: Actor, app: AppRow, t: Transaction) {
    if (app.applicantId === actor.id) return;
    await assertReadable(actor, Number(app.id), t);
    throw forbidden('只有申请人可以执行此操作');
  }

  async function record(t: Transaction, app: AppRow, rc: RequestContext, e: { action: ActionName; comment?: string | null; data?: Record<string, unknown> | null; task?: TaskRow | null; idemKey?: string | null }) {
    return ApplicationAction.create(
      {
        applicationId: app.id,
        round: app.round,
        taskId: e.task?.id ?? null,
        nodeId: e.task?.nodeId ?? null,
        nodeName: e.task ? (e.task.branchName ? `${e.task.nodeName} · ${e.task.branchName}` : e.task.nodeName) : null,
        actorId: rc.actor.id,
        action: e.action,
        comment: e.comment ?? null,
        data: e.data ?? null,
        idemKey: e.idemKey ?? null,
      },
      { transaction: t },
    );
  }

  /** The customer as approvers will see it, taken at each submission. */
  async function snapshot(rc: RequestContext, customerId: number, t: Transaction): Promise<CustomerSnapshot> {
    const c = await Customer.findByPk(customerId, { transaction: t });
    if (!c) throw notFound('客户不存在或无权查看');
    const v = toCustomerView(c, rc.actor, await customers.names([c]), crypto);
    return {
      name: v.name, phoneLast4: c.phoneLast4, gender: v.gender, age: v.age, city: v.city, channel: v.channel, channelName: v.channelName,
      stage: v.stage, monthlyIncomeFen: v.monthlyIncomeFen, collateral: v.collateral, loanPurpose: v.loanPurpose, ownerName: v.ownerName,
      departmentName: v.departmentName, takenAt: new Date().toISOString(),
    };
  }

  /** A customer leaves 审批中 (back to 已尽调) when its last pending application stops being pending. */
  async function releaseCustomer(t: Transaction, rc: RequestContext, app: AppRow, why: string) {
    const others = await Application.count({ where: { customerId: app.customerId, status: 'pending', id: { [Op.ne]: app.id } }, transaction: t });
    if (others) return;
    const c = await Customer.findByPk(app.customerId, { transaction: t, attributes: ['id', 'stage'] });
    if (c?.stage === 'under_approval') await customers.changeStage(rc, Number(app.customerId), { to: 'due_diligence', reason: `进件 #${app.id} ${why}` }, { transaction: t, system: true });
  }

  /** Submit or resubmit inside `t` (the application row already locked). */
  async function submitLocked(t: Transaction, rc: RequestContext, app: AppRow, comment: string | null | undefined) {
    if (!EDITABLE_STATUSES.includes(app.status)) throw conflict('APPLICATION_STATE_CONFLICT', `进件${APPLICATION_STATUSES[app.status]},不能再提交`);
    // The applicant must still look after the customer (a transferred customer goes with its book).
    const customer = await customers.findInScope(rc.actor, Number(app.customerId), 'write', t);
    if (customer.stage === 'due_diligence') {
      await customers.changeStage(rc, Number(app.customerId), { to: 'under_approval', reason: `提交进件 #${app.id}` }, { transaction: t, system: true });
    } else if (customer.stage !== 'under_approval') {
      throw new AppError(409, 'CUSTOMER_NOT_READY_FOR_APPLICATION', `客户当前处于「${STAGES[customer.stage]}」,需先推进到「已尽调」才能提交进件`, { stage: customer.stage });
    }
    const resubmit = app.round > 0;
    // The catalogue may have changed since the draft: the picked product must still be offered and take these terms (C14).
    if (app.productId) await products.checkApplication({ productId: app.productId, amountFen: Number(app.amountFen), termMonths: app.termMonths, repaymentMethod: app.repaymentMethod }, t);
    // Risk pre-checks (C10) before anything moves: a reject-level result stops here unless overridden.
    const check = await risk.checkOnSubmit(t, rc, app, app.round + 1);
    // The flow version is pinned at the first submission: later edits of the flow do not touch it.
    const pinned = app.flowVersionId ? { versionId: app.flowVersionId, flowId: app.flowId! } : await flows.defaultVersion(t);
    const def = (await flows.version(pinned.versionId, t)).definition;
    const now = new Date();
    await app.update(
      { status: 'pending', round: app.round + 1, flowId: pinned.flowId, flowVersionId: pinned.versionId, customerSnapshot: await snapshot(rc, Number(app.customerId), t), submittedAt: now, decidedAt: null },
      { transaction: t },
    );
    await record(t, app, rc, { action: resubmit ? 'resubmit' : 'submit', comment });
    await audit.record(rc, { action: resubmit ? 'resubmit' : 'submit', entityType: 'application', entityId: app.id, after: { round: app.round, flowVersionId: pinned.versionId, riskCheckId: check.checkId, riskLevel: check.result.level } }, t);
    await events.emit({ type: EVENT_TYPES.ApplicationSubmitted, aggregateType: 'application', aggregateId: app.id, actorId: rc.actor.id, payload: { applicationId: Number(app.id), customerId: Number(app.customerId), round: app.round, amountFen: Number(app.amountFen), flowVersionId: pinned.versionId } }, t);
    const start = resubmit ? resubmitStart(def, app.returnedNodeId) : null;
    await runtime.run(t, app, def, start);
  }

  /** Why a task that is no longer pending cannot take this decision (or null: it is a replay). */
  async function closedReason(app: AppRow, mine: TaskRow, action: Decision, tasks: TaskRow[]): Promise<AppError | null> {
    if ((DECIDED as readonly string[]).includes(mine.status)) {
      if (mine.action === action) return null;
      return conflict('APPROVAL_ALREADY_DECIDED', `你已${DECISIONS[mine.action as Decision]}过该审批`, { taskId: Number(mine.id), action: mine.action });
    }
    if (mine.status === 'delegated') {
      const to = tasks.find((x) => Number(x.delegatedFromId) === Number(mine.id));
      const names = await nameOf([to?.assigneeId]);
      return conflict('APPROVAL_TASK_CLOSED', `你已将该审批转交给 ${names(to?.assigneeId) ?? '他人'}`, { taskId: Number(mine.id) });
    }
    if (app.status === 'withdrawn') return conflict('APPROVAL_TASK_CLOSED', '申请人已撤回该进件', { taskId: Number(mine.id), status: app.status });
    const winner = tasks
      .filter((x) => x.round === mine.round && x.nodeId === mine.nodeId && (DECIDED as readonly string[]).includes(x.status))
      .sort((a, b) => Number(a.id) - Number(b.id))[0];
    const names = await nameOf([winner?.assigneeId]);
    const who = names(winner?.assigneeId);
    return conflict('APPROVAL_TASK_CLOSED', who ? `该审批已由 ${who} 处理` : '该审批已结束', { taskId: Number(mine.id), decidedBy: who, status: app.status });
  }

  async function decideLocked(t: Transaction, rc: RequestContext, app: AppRow, input: DecideInput): Promise<DecideResult> {
    const actor = rc.actor;
    const tasks = (await ApprovalTask.findAll({ where: { applicationId: app.id }, order: [['id', 'ASC']], transaction: t, lock: t.LOCK.UPDATE })) as TaskRow[];
    const deciderName = actor.name;
    const result = (task: TaskRow, replayed: boolean, closed: number[] = []): DecideResult => ({
      applicationId: Number(app.id), taskId: Number(task.id), action: input.action, replayed, status: app.status, statusName: APPLICATION_STATUSES[app.status],
      nodeName: task.nodeName, deciderName, closedTaskIds: closed,
    });

    if (input.idempotencyKey) {
      const seen = await ApplicationAction.findOne({ where: { idemKey: input.idempotencyKey }, transaction: t });
      if (seen) {
        const task = tasks.find((x) => Number(x.id) === Number(seen.taskId));
        if (Number(seen.applicationId) !== Number(app.id) || !task || task.assigneeId !== actor.id || seen.action !== input.action) throw conflict('IDEMPOTENCY_KEY_REUSED');
        return result(task, true);
      }
    }

    let mine: TaskRow | undefined;
    if (input.taskId) {
      mine = tasks.find((x) => Number(x.id) === input.taskId);
      if (!mine) throw notFound('审批任务不存在');
      if (mine.assigneeId !== actor.id) {
        await assertReadable(actor, Number(app.id), t);
        throw new AppError(403, 'NOT_APPROVER');
      }
    } else {
      const own = tasks.filter((x) => x.assigneeId === actor.id);
      mine = own.find((x) => x.status === 'pending' && x.round === app.round) ?? own[own.length - 1];
    }
    if (!mine) {
      await assertReadable(actor, Number(app.id), t);
      throw new AppError(403, 'NOT_APPROVER');
    }
    if (mine.status !== 'pending' || app.status !== 'pending') {
      const err = await closedReason(app, mine, input.action, tasks);
      if (err) throw err;
      return result(mine, true);
    }

    const now = new Date();
    await mine.update({ status: TASK_STATUS_OF[input.action], action: input.action, comment: input.comment ?? null, decidedAt: now }, { transaction: t });
    const act = await record(t, app, rc, { action: input.action, comment: input.comment, task: mine, idemKey: input.idempotencyKey ?? null });
    await audit.record(rc, { action: input.action, entityType: 'application', entityId: app.id, after: { taskId: Number(mine.id), nodeId: mine.nodeId, comment: input.comment ?? null } }, t);
    const def = (await flows.version(app.flowVersionId!, t)).definition;
    const current = tasks.filter((x) => x.round === app.round);
    let closed: number[] = [];

    if (input.action === 'return') {
      closed = current.filter((x) => x.status === 'pending' && Number(x.id) !== Number(mine.id)).map((x) => Number(x.id));
      await runtime.cancelTasks(t, closed);
      await app.update({ status: 'returned', returnedNodeId: mine.nodeId, currentNodeId: null, currentNodeName: null }, { transaction: t });
      await releaseCustomer(t, rc, app, '退回补充资料');
    } else {
      const v = verdict(def, mine.nodeId, current);
      closed = v.cancel.filter((id) => id !== Number(mine.id));
      await runtime.cancelTasks(t, closed);
      if (v.result === 'rejected') {
        await app.update({ status: 'rejected', decidedAt: now, currentNodeId: null, currentNodeName: null }, { transaction: t });
        await releaseCustomer(t, rc, app, '已驳回');
      } else if (v.result === 'passed') {
        await runtime.run(t, app, def, successorId(def, mine.nodeId), false);
      }
    }
    // An approval's event comes from the runtime (the flow may also end without a person deciding).
    const outcome: Application['status'] = app.get('status');
    if (outcome === 'rejected' || outcome === 'returned') {
      await events.emit({ type: EVENT_TYPES.ApplicationDecided, aggregateType: 'application', aggregateId: app.id, actorId: actor.id, payload: { applicationId: Number(app.id), customerId: Number(app.customerId), outcome: app.status, round: app.round, decidedBy: actor.id } }, t);
    }
    // Chat cards: the decider's says what they did, the others' closed tasks who handled them.
    await notifier.closeCards?.(t, {
      applicationId: Number(app.id),
      closes: [{ taskId: Number(mine.id), text: `已${DECISIONS[input.action].slice(0, 2)}` }, ...closed.map((taskId) => ({ taskId, text: `已由 ${deciderName} 处理` }))],
      skipCardRef: input.cardRef ?? null,
    });
    const na = await runtime.noticeApp(app, t);
    await notifier.notify(t, [decisionNotice(na, { actionId: Number(act.id), applicantId: app.applicantId, deciderName, decision: input.action, nodeName: mine.nodeName, comment: input.comment ?? null, status: app.status })]);
    return result(mine, false, closed);
  }

  async function detail(actor: Actor, app: AppRow) {
    const id = Number(app.id);
    const [tasks, actions, docs, ccs, customer] = await Promise.all([
      ApprovalTask.findAll({ where: { applicationId: id }, order: [['id', 'ASC']] }),
      ApplicationAction.findAll({ where: { applicationId: id }, order: [['id', 'ASC']] }),
      ApplicationDocument.findAll({ where: { applicationId: id }, order: [['id', 'ASC']] }),
      ApprovalCc.findAll({ where: { applicationId: id }, order: [['id', 'ASC']], raw: true }),
      Customer.findByPk(app.customerId, { attributes: ['id', 'name', 'stage', 'ownerId', 'departmentId'] }),
    ]);
    const names = await nameOf([app.applicantId, ...tasks.map((x) => x.assigneeId), ...actions.map((x) => x.actorId), ...docs.map((x) => x.uploaderId), ...ccs.map((x) => x.userId),
      ...actions.flatMap((x) => (Array.isArray(x.data?.userIds) ? (x.data!.userIds as number[]) : typeof x.data?.toUserId === 'number' ? [x.data.toUserId as number] : []))]);
    const taskById = new Map(tasks.map((x) => [Number(x.id), x]));
    const version = app.flowVersionId ? await flows.version(app.flowVersionId) : null;
    const myTask = app.status === 'pending' ? tasks.find((x) => x.assigneeId === actor.id && x.status === 'pending' && x.round === app.round) : undefined;
    const isApplicant = app.applicantId === actor.id;
    const riskCheck = await risk.forApplication(id);
    let customerReadable = false;
    if (customer) customerReadable = await customers.findInScope(actor, Number(customer.id), 'read').then(() => true, () => false);
    return {
      id,
      status: app.status,
      statusName: APPLICATION_STATUSES[app.status],
      ...factsView(app),
      round: app.round,
      currentNodeId: app.status === 'pending' ? app.currentNodeId : null,
      currentNodeName: app.status === 'pending' ? app.currentNodeName : null,
      customer: {
        id: Number(app.customerId),
        name: app.customerSnapshot?.name ?? customer?.name ?? null,
        stage: customer?.stage ?? null,
        stageName: customer ? STAGES[customer.stage] : null,
        canOpen: customerReadable,
        snapshot: app.customerSnapshot,
      },
      applicant: { id: app.applicantId, name: names(app.applicantId), departmentName: await org.departmentName(app.departmentId) },
      flow: version ? { id: app.flowId, versionId: version.id, version: version.version, steps: approvalSteps(version.definition) } : null,
      submittedAt: app.submittedAt,
      decidedAt: app.decidedAt,
      createdAt: app.createdAt,
      updatedAt: app.updatedAt,
      tasks: tasks.map((x) => toTaskView(x, names)),
      timeline: actions.map((x) => toTimelineEntry(x, names, taskById)),
      documents: docs.map((d) => toDocumentView(d, names)),
      cc: [...new Set(ccs.map((c) => c.userId))].map((uid) => ({ userId: uid, name: names(uid) })),
      /** The latest risk pre-check (风控预检): level, each rule with its reason, any override. */
      risk: riskCheck,
      myTaskId: myTask ? Number(myTask.id) : null,
      permissions: {
        edit: isApplicant && EDITABLE_STATUSES.includes(app.status),
        submit: isApplicant && EDITABLE_STATUSES.includes(app.status),
        withdraw: isApplicant && app.status === 'pending',
        decide: !!myTask,
        delegate: !!myTask || (actor.role === 'admin' && app.status === 'pending'),
        comment: true,
        attach: true,
        riskOverride: can(actor.role, 'risk.override') && !!riskCheck?.blocked && !riskCheck.override && EDITABLE_STATUSES.includes(app.status),
      },
    };
  }

  const service = {
    findReadable,

    async create(rc: RequestContext, input: CreateApplicationInput) {
      const id = await db.transaction(async (t) => {
        const c = await customers.findInScope(rc.actor, input.customerId, 'write', t);
        if (c.ownerId === null) throw new AppError(409, 'CUSTOMER_IN_POOL');
        // A product picked from the catalogue must take this amount, term and method (C14).
        const picked = input.productId ? await products.checkApplication({ productId: input.productId, amountFen: input.amountFen, termMonths: input.termMonths, repaymentMethod: input.repaymentMethod }, t) : null;
        const app = (await Application.create(
          {
            customerId: input.customerId, applicantId: rc.actor.id, departmentId: rc.actor.departmentId, status: 'draft',
            product: picked?.name ?? input.product!, productId: picked?.id ?? null, amountFen: input.amountFen, termMonths: input.termMonths, purpose: input.purpose,
            repaymentMethod: input.repaymentMethod ?? null, collateral: input.collateral ?? c.collateral ?? null, remarks: input.remarks ?? null,
          },
          { transaction: t },
        )) as AppRow;
        await record(t, app, rc, { action: 'create' });
        await audit.record(rc, { action: 'create', entityType: 'application', entityId: app.id, after: { customerId: input.customerId, product: app.product, productId: app.productId, amountFen: input.amountFen, termMonths: input.termMonths } }, t);
        if (input.submit) await submitLocked(t, rc, app, null);
        return Number(app.id);
      });
      return service.get(rc, id);
    },

    async update(rc: RequestContext, id: number, patch: UpdateApplicationInput) {
      await db.transaction(async (t) => {
        const app = await lock(t, id);
        await assertApplicant(rc.actor, app, t);
        if (!EDITABLE_STATUSES.includes(app.status)) throw conflict('APPLICATION_NOT_EDITABLE', `进件${APPLICATION_STATUSES[app.status]},不能修改`);
        const changes: Record<string, unknown> = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        // The picked product (kept or newly chosen) must still take the amount, term and method (C14);
        // typing a free product name instead lets go of the catalogue product.
        const productId = patch.productId ?? (patch.product ? null : app.productId);
        if (productId) {
          const p = await products.checkApplication({ productId, amountFen: patch.amountFen ?? Number(app.amountFen), termMonths: patch.termMonths ?? app.termMonths, repaymentMethod: patch.repaymentMethod ?? app.repaymentMethod }, t);
          if (patch.productId) changes.product = p.name;
        } else if (patch.product && app.productId) changes.productId = null;
        const before = Object.fromEntries(Object.keys(changes).map((k) => [k, app.get(k as keyof Application)]));
        await app.update(changes, { transaction: t });
        await record(t, app, rc, { action: 'update', data: { fields: Object.keys(changes) } });
        await audit.record(rc, { action: 'update', entityType: 'application', entityId: id, before, after: changes }, t);
      });
      return service.get(rc, id);
    },

    async submit(rc: RequestContext, id: number, comment?: string | null) {
      await db.transaction(async (t) => {
        const app = await lock(t, id);
        await assertApplicant(rc.actor, app, t);
        await submitLocked(t, rc, app, comment);
      }).catch(async (e: unknown) => {
        // The submission rolled back; the blocked attempt is kept so risk staff can override it.
        if (e instanceof RiskRejectedError) await risk.recordBlocked(rc, id, e.result);
        throw e;
      });
      return service.get(rc, id);
    },

    /**
     * Approve / reject / return a task. By task id (chat buttons carry it) or by application (the
     * actor's pending task there). The chat path calls this with the tapping user's actor.
     */
    async decide(rc: RequestContext, input: DecideInput): Promise<DecideResult> {
      if (input.action !== 'approve' && !input.comment?.trim()) {
        throw new AppError(422, 'VALIDATION_FAILED', input.action === 'reject' ? '驳回必须填写原因' : '退回必须说明需要补充的资料', { fields: [{ field: 'comment', message: '请填写原因' }] });
      }
      // A task never moves between applications, so finding its application needs no lock.
      let applicationId = input.applicationId;
      if (input.taskId) {
        const task = await ApprovalTask.findByPk(input.taskId, { attributes: ['applicationId'], raw: true });
        if (!task || (applicationId && Number(task.applicationId) !== applicationId)) throw notFound('审批任务不存在');
        applicationId = Number(task.applicationId);
      }
      if (!applicationId) throw notFound('进件不存在或无权查看');
      const id = applicationId;
      return db.transaction(async (t) => decideLocked(t, rc, await lock(t, id), input));
    },

    /** decide() for a messenger user already mapped to a CRM user (the chat button path). */
    async decideAsUser(userId: number, input: DecideInput): Promise<DecideResult> {
      const actor = await org.activeActor(userId);
      if (!actor) throw forbidden('账号已停用或不存在');
      return service.decide({ actor, ip: null }, input);
    },

    async withdraw(rc: RequestContext, id: number, reason?: string | null) {
      await db.transaction(async (t) => {
        const app = await lock(t, id);
        await assertApplicant(rc.actor, app, t);
        if (app.status !== 'pending') throw conflict('APPLICATION_STATE_CONFLICT', `进件${APPLICATION_STATUSES[app.status]},不能撤回`);
        const pending = (await ApprovalTask.findAll({ where: { applicationId: id, status: 'pending' }, transaction: t, lock: t.LOCK.UPDATE })) as TaskRow[];
        await runtime.cancelTasks(t, pending.map((x) => Number(x.id)));
        await app.update({ status: 'withdrawn', decidedAt: new Date(), currentNodeId: null, currentNodeName: null }, { transaction: t });
        await record(t, app, rc, { action: 'withdraw', comment: reason });
        await audit.record(rc, { action: 'withdraw', entityType: 'application', entityId: id, after: { reason: reason ?? null } }, t);
        await notifier.closeCards?.(t, { applicationId: id, closes: pending.map((x) => ({ taskId: Number(x.id), text: '申请人已撤回' })) });
        await events.emit({ type: EVENT_TYPES.ApplicationWithdrawn, aggregateType: 'application', aggregateId: id, actorId: rc.actor.id, payload: { applicationId: id, customerId: Number(app.customerId), round: app.round } }, t);
        await releaseCustomer(t, rc, app, '已撤回');
        await notifier.notify(t, [withdrawnNotice(await runtime.noticeApp(app, t), [...new Set(pending.map((x) => x.assigneeId))], app.round)]);
      });
      return service.get(rc, id);
    },

    /** Hands a pending task to someone else (the holder, or an admin for anyone's task). */
    async delegate(rc: RequestContext, id: number, input: DelegateTaskInput) {
      await db.transaction(async (t) => {
        const app = await lock(t, id);
        const tasks = (await ApprovalTask.findAll({ where: { applicationId: id, round: app.round }, transaction: t, lock: t.LOCK.UPDATE })) as TaskRow[];
        const admin = rc.actor.role === 'admin';
        const task = input.taskId ? tasks.find((x) => Number(x.id) === input.taskId) : tasks.find((x) => x.assigneeId === rc.actor.id && x.status === 'pending');
        if (!task || (task.assigneeId !== rc.actor.id && !admin)) {
          await assertReadable(rc.actor, id, t);
          throw new AppError(403, 'NOT_APPROVER');
        }
        if (task.status !== 'pending' || app.status !== 'pending') throw conflict('APPROVAL_TASK_CLOSED');
        const target = await User.findByPk(input.toUserId, { transaction: t, raw: true });
        const holds = tasks.some((x) => x.status === 'pending' && x.nodeId === task.nodeId && x.assigneeId === input.toUserId);
        if (!target || target.status !== 'active' || target.id === app.applicantId || target.id === task.assigneeId || holds) {
          const why = !target || target.status !== 'active' ? '该员工不存在或已停用' : target.id === app.applicantId ? '不能转交给申请人' : '该员工已是这一步的审批人';
          throw new AppError(422, 'INVALID_DELEGATE', `不能转交:${why}`);
        }
        await task.update({ status: 'delegated', action: 'delegate', comment: input.comment ?? null, decidedAt: new Date() }, { transaction: t });
        await notifier.closeCards?.(t, { applicationId: id, closes: [{ taskId: Number(task.id), text: `已转交 ${target.name}` }] });
        await record(t, app, rc, { action: 'delegate', comment: input.comment, task, data: { fromUserId: task.assigneeId, toUserId: target.id } });
        await audit.record(rc, { action: 'delegate', entityType: 'application', entityId: id, after: { taskId: Number(task.id), from: task.assigneeId, to: target.id } }, t);
        const def = (await flows.version(app.flowVersionId!, t)).definition;
        const node = findNode(def, task.branchId ?? task.nodeId);
        const slaHours = node && node.kind === 'approval' ? (node.slaHours ?? null) : null;
        await runtime.createTasks(t, app, [{ nodeId: task.nodeId, nodeName: task.nodeName, branchId: task.branchId, branchName: task.branchName, assigneeId: target.id, slaHours, delegatedFromId: Number(task.id) }], await runtime.noticeApp(app, t));
      });
      return service.get(rc, id);
    },

    async comment(rc: RequestContext, id: number, content: string) {
      await db.transaction(async (t) => {
        const app = await lock(t, id);
        await assertReadable(rc.actor, id, t);
        await record(t, app, rc, { action: 'comment', comment: content });
      });
      return service.get(rc, id);
    },

    async get(rc: RequestContext, id: number) {
      return detail(rc.actor, await findReadable(rc.actor, id));
    },

    async list(rc: RequestContext, q: ListApplicationsQuery) {
      const and: WhereOptions<Application>[] = [await applicationScope(rc.actor, org)];
      if (q.customerId) and.push({ customerId: q.customerId });
      if (q.status) and.push({ status: q.status });
      if (q.cursor) and.push({ id: { [Op.lt]: q.cursor } });
      const rows = await Application.findAll({ where: { [Op.and]: and } as WhereOptions<Application>, order: [['id', 'DESC']], limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const names = await nameOf(page.map((r) => r.applicantId));
      const customersById = new Map((await Customer.findAll({ where: { id: page.map((r) => r.customerId) }, attributes: ['id', 'name'], raw: true })).map((c) => [Number(c.id), c.name]));
      return {
        items: page.map((r) => toApplicationItem(r, names, customersById.get(Number(r.customerId)) ?? null)),
        nextCursor: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
      };
    },

    /** People a task can be handed to: active staff other than the actor. */
    async delegates(rc: RequestContext) {
      const rows = await User.findAll({ where: { status: 'active', id: { [Op.ne]: rc.actor.id } }, attributes: ['id', 'name', 'role', 'departmentId', 'title'], order: [['departmentId', 'ASC'], ['id', 'ASC']], raw: true });
      const depts = await org.departments();
      return rows.map((u) => ({ id: u.id, name: u.name, role: u.role, departmentName: depts.get(u.departmentId)?.name ?? null, title: u.title }));
    },
  };
  return service;
}
export type ApplicationService = ReturnType<typeof createApplicationService>;
