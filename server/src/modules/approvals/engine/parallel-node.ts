// 并行审批 node: every branch is an approval node run at once. All-of passes when every branch
// has passed and fails on any rejected branch; any-of is decided by the first branch decided.
// A branch that finds nobody and passes on its own counts as passed.
import type { ParallelNode } from '../../../contracts/approval-flow';
import { approvalTasks, approvalVerdict } from './approval-node';
import type { NodeHandler, TaskSpec, TrailEntry, Verdict } from './types';

export const parallelNode: NodeHandler<ParallelNode> = {
  async run(node, env) {
    const tasks: TaskSpec[] = [];
    const trail: TrailEntry[] = [];
    let passedBranches = 0;
    for (const b of node.branches) {
      const r = await approvalTasks(b, env, { nodeId: node.id, nodeName: node.name });
      tasks.push(...r.tasks);
      trail.push(...r.trail);
      if (r.passed) passedBranches++;
    }
    const done = node.mode === 'any' ? passedBranches > 0 : passedBranches === node.branches.length;
    return done ? { type: 'next', trail } : { type: 'wait', tasks, trail };
  },

  verdict(node, tasks): Verdict {
    const branches = node.branches.map((b) => {
      const mine = tasks.filter((t) => t.branchId === b.id);
      // No tasks at all: the branch passed when the node ran (nobody to ask).
      const v: Verdict = mine.length === 0 ? { result: 'passed', cancel: [] } : approvalVerdict(b.mode, mine);
      return { v, pending: mine.filter((t) => t.status === 'pending').map((t) => t.id) };
    });
    const allPending = branches.flatMap((b) => b.pending);
    if (node.mode === 'any') {
      const decided = branches.find((b) => b.v.result !== 'pending');
      return decided ? { result: decided.v.result, cancel: allPending } : { result: 'pending', cancel: [] };
    }
    if (branches.some((b) => b.v.result === 'rejected')) return { result: 'rejected', cancel: allPending };
    if (branches.every((b) => b.v.result === 'passed')) return { result: 'passed', cancel: allPending };
    // Branches already decided drop their leftover tasks (an any-of branch someone approved).
    return { result: 'pending', cancel: branches.filter((b) => b.v.result !== 'pending').flatMap((b) => b.pending) };
  },
};
