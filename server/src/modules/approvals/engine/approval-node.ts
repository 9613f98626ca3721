// 审批 node: tasks for everyone the rule names; 或签 (any) is decided by the first decision,
// 会签 (all) needs every approval and fails on one rejection. Nobody to ask → the node's onEmpty.
import type { ApprovalNode } from '../../../contracts/approval-flow';
import type { EngineEnv, NodeHandler, TaskSpec, TaskState, TrailEntry, Verdict } from './types';

/** Tasks for one approval node (or one parallel branch); `passed` when nobody needs asking. */
export async function approvalTasks(
  node: ApprovalNode,
  env: EngineEnv,
  owner: { nodeId: string; nodeName: string },
): Promise<{ tasks: TaskSpec[]; trail: TrailEntry[]; passed: boolean }> {
  const branch = owner.nodeId === node.id ? null : node;
  const spec = (assigneeId: number): TaskSpec => ({
    nodeId: owner.nodeId,
    nodeName: owner.nodeName,
    branchId: branch?.id ?? null,
    branchName: branch?.name ?? null,
    assigneeId,
    slaHours: node.slaHours ?? null,
  });
  const at = { nodeId: node.id, nodeName: node.name };
  const ids = await env.resolve(node.approvers);
  if (ids.length) return { tasks: ids.map(spec), trail: [], passed: false };
  if (node.onEmpty === 'auto_pass') return { tasks: [], trail: [{ action: 'auto_pass', ...at, data: { reason: '未找到审批人' } }], passed: true };
  if (node.onEmpty === 'skip') return { tasks: [], trail: [{ action: 'skip', ...at, data: { reason: '未找到审批人' } }], passed: true };
  const admins = await env.admins();
  if (!admins.length) return { tasks: [], trail: [{ action: 'auto_pass', ...at, data: { reason: '未找到审批人,也没有可用的管理员' } }], passed: true };
  return { tasks: admins.map(spec), trail: [{ action: 'admin_fallback', ...at, data: { reason: '未找到审批人,转管理员审批' } }], passed: false };
}

/** Judges the tasks of one approval node or branch (delegated and cancelled ones no longer count). */
export function approvalVerdict(mode: ApprovalNode['mode'], tasks: TaskState[]): Verdict {
  const live = tasks.filter((t) => t.status !== 'delegated' && t.status !== 'cancelled');
  const pending = live.filter((t) => t.status === 'pending').map((t) => t.id);
  const rejected = live.some((t) => t.status === 'rejected');
  if (mode === 'any') {
    const decided = live.find((t) => t.status === 'approved' || t.status === 'rejected');
    if (!decided) return { result: 'pending', cancel: [] };
    return { result: decided.status === 'approved' ? 'passed' : 'rejected', cancel: pending };
  }
  if (rejected) return { result: 'rejected', cancel: pending };
  if (pending.length === 0 && live.length > 0) return { result: 'passed', cancel: [] };
  return { result: 'pending', cancel: [] };
}

export const approvalNode: NodeHandler<ApprovalNode> = {
  async run(node, env) {
    const r = await approvalTasks(node, env, { nodeId: node.id, nodeName: node.name });
    return r.passed ? { type: 'next', trail: r.trail } : { type: 'wait', tasks: r.tasks, trail: r.trail };
  },
  verdict: (node, tasks) => approvalVerdict(node.mode, tasks),
};
