// New nodes for the flow editor, each with a fresh id (ids only need to be unique in a flow).
import type { ApprovalNode, ConditionNode, EndNode, FlowNode, NotifyNode, ParallelNode } from '@contracts/approval-flow';

let seq = 0;
const newId = () => `n${Date.now().toString(36)}${(seq++).toString(36)}`;

export const newApproval = (name = '审批'): ApprovalNode => ({ id: newId(), kind: 'approval', name, approvers: { type: 'supervisor', level: 1 }, mode: 'any', onEmpty: 'admin' });
export const newNotify = (): NotifyNode => ({ id: newId(), kind: 'notify', name: '抄送', recipients: { type: 'role', role: 'finance', scope: 'all' } });
export const newCondition = (): ConditionNode => ({ id: newId(), kind: 'condition', name: '条件分支', condition: { field: 'amountFen', op: 'gt', value: 50_000_000 }, then: [newApproval()], else: [] });
export const newParallel = (): ParallelNode => ({ id: newId(), kind: 'parallel', name: '并行审批', mode: 'all', branches: [newApproval('分支一'), newApproval('分支二')] });
export const newEnd = (): EndNode => ({ id: newId(), kind: 'end', name: '结束' });

export const NEW_NODE: Record<FlowNode['kind'], () => FlowNode> = {
  approval: () => newApproval(),
  condition: newCondition,
  parallel: newParallel,
  notify: newNotify,
  end: newEnd,
};
