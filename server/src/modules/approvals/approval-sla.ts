// Approval SLAs (C9): a task pending past its node's SLA (working hours, set when the task was
// created) reminds its approver; pending for twice that, it tells the approver's supervisor.
// Each step is claimed with a conditional update, so it is sent once even if two runs overlap.
// Runs only in working hours (Mon–Fri 09:00–18:00 Asia/Shanghai); public holidays are not known yet.
import { Op } from 'sequelize';
import type { Deps } from '../../deps';
import { findNode } from './flow.definition';
import { isWorkingTime } from './engine/working-hours';
import { createApprovalRuntime } from './approval.runtime';
import { slaNotice } from './approval.notices';
import type { ApprovalNotifier } from './approval.notifier';
import { createFlowService } from './flow.service';
import { loadOrgSnapshot, resolveApprovers } from './approver-resolver';

const BATCH = 200;

export async function runApprovalSla(deps: Pick<Deps, 'db' | 'org' | 'events' | 'audit'>, notifier: ApprovalNotifier, now = new Date()): Promise<{ reminded: number; escalated: number }> {
  if (!isWorkingTime(now)) return { reminded: 0, escalated: 0 };
  const { db, org } = deps;
  const { ApprovalTask, Application, ApplicationAction } = db.models;
  const runtime = createApprovalRuntime(deps, notifier);
  const flows = createFlowService(deps);
  const counts = { reminded: 0, escalated: 0 };

  for (const stage of ['remind', 'escalate'] as const) {
    const due = stage === 'remind' ? { dueAt: { [Op.lte]: now }, remindedAt: null } : { escalateAt: { [Op.lte]: now }, escalatedAt: null };
    const tasks = await ApprovalTask.findAll({ where: { status: 'pending', ...due }, order: [['id', 'ASC']], limit: BATCH });
    for (const task of tasks) {
      await db.transaction(async (t) => {
        const mark = stage === 'remind' ? { remindedAt: now } : { escalatedAt: now };
        const [claimed] = await ApprovalTask.update(mark, { where: { id: task.id, status: 'pending', ...(stage === 'remind' ? { remindedAt: null } : { escalatedAt: null }) }, transaction: t });
        if (claimed !== 1) return;
        const app = await Application.findByPk(task.applicationId, { transaction: t });
        if (!app || app.status !== 'pending') return;
        const def = (await flows.version(app.flowVersionId!, t)).definition;
        const node = findNode(def, task.branchId ?? task.nodeId);
        const slaHours = node && node.kind === 'approval' ? (node.slaHours ?? 0) : 0;
        let to = [task.assigneeId];
        if (stage === 'escalate') {
          // The approver's supervisor, else the head of their department (walking up).
          const chart = await loadOrgSnapshot(db.models, t);
          to = resolveApprovers({ type: 'supervisor', level: 1 }, task.assigneeId, chart);
          if (!to.length) to = resolveApprovers({ type: 'dept_head', level: 1 }, task.assigneeId, chart);
        }
        const names = await org.usersByIds([task.assigneeId]);
        await ApplicationAction.create(
          { applicationId: app.id, round: app.round, taskId: task.id, nodeId: task.nodeId, nodeName: task.nodeName, actorId: null, action: stage === 'remind' ? 'sla_remind' : 'sla_escalate', data: { userIds: to } },
          { transaction: t },
        );
        if (to.length) {
          const na = await runtime.noticeApp(app, t);
          await notifier.notify(t, [slaNotice(na, { taskId: Number(task.id), stage, userIds: to, assigneeName: names.get(task.assigneeId)?.name ?? '审批人', nodeName: task.nodeName, slaHours })]);
        }
        counts[stage === 'remind' ? 'reminded' : 'escalated']++;
      });
    }
  }
  return counts;
}
