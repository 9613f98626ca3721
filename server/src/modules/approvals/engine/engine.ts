// The approval engine: a registry of node kinds behind one interface. `advance` runs the flow from
// a node until it has to wait for people (or is done); `verdict` is the resume step, judging a
// waiting node after each decision. Pure apart from the approver lookup it is handed.
import type { AnyNode, FlowDefinition, NodeKind } from '../../../contracts/approval-flow';
import { findNode, firstNodeId, successorId } from '../flow.definition';
import { approvalNode } from './approval-node';
import { conditionNode } from './condition-node';
import { endNode } from './end-node';
import { notifyNode } from './notify-node';
import { parallelNode } from './parallel-node';
import type { CcSpec, EngineEnv, NodeHandler, RunOutcome, TaskSpec, TaskState, TrailEntry, Verdict } from './types';

const HANDLERS: { [K in NodeKind]: NodeHandler<Extract<AnyNode, { kind: K }>> } = {
  approval: approvalNode,
  parallel: parallelNode,
  condition: conditionNode,
  notify: notifyNode,
  end: endNode,
};

function handlerFor(node: AnyNode): NodeHandler<AnyNode> {
  return HANDLERS[node.kind] as NodeHandler<AnyNode>;
}

export type AdvanceResult =
  | { state: 'waiting'; nodeId: string; nodeName: string; tasks: TaskSpec[]; trail: TrailEntry[]; cc: CcSpec[] }
  | { state: 'approved'; trail: TrailEntry[]; cc: CcSpec[] };

/** Runs the flow from `startId` (null: from the first node) until a node waits or the flow ends. */
export async function advance(def: FlowDefinition, startId: string | null, env: EngineEnv): Promise<AdvanceResult> {
  const trail: TrailEntry[] = [];
  const cc: CcSpec[] = [];
  let id: string | null = startId ?? firstNodeId(def);
  // Every node is visited at most once per run; the bound only guards against a broken definition.
  for (let steps = 0; id !== null; steps++) {
    if (steps > 200) throw new Error('approval flow does not terminate');
    const node = findNode(def, id);
    if (!node) throw new Error(`node ${id} is not in the flow`);
    const out: RunOutcome = await handlerFor(node).run(node, env);
    trail.push(...out.trail);
    if (out.type === 'next' && out.cc) cc.push(out.cc);
    if (out.type === 'wait') return { state: 'waiting', nodeId: node.id, nodeName: node.name, tasks: out.tasks, trail, cc };
    if (out.type === 'end') return { state: 'approved', trail, cc };
    if (out.type === 'enter' && node.kind === 'condition') {
      const branch = node[out.branch];
      id = branch.length ? branch[0].id : successorId(def, node.id);
      continue;
    }
    id = successorId(def, node.id);
  }
  return { state: 'approved', trail, cc };
}

/** Judges the waiting node `nodeId` from its tasks of the current round. */
export function verdict(def: FlowDefinition, nodeId: string, tasks: TaskState[]): Verdict {
  const node = findNode(def, nodeId);
  if (!node) throw new Error(`node ${nodeId} is not in the flow`);
  const judge = handlerFor(node).verdict;
  if (!judge) throw new Error(`node kind ${node.kind} does not wait for decisions`);
  return judge(node, tasks.filter((t) => t.nodeId === nodeId));
}

/** Where a resubmitted application starts, per the flow's resubmitFrom setting. */
export function resubmitStart(def: FlowDefinition, returnedNodeId: string | null): string | null {
  if (def.resubmitFrom === 'start') return null;
  if (def.resubmitFrom === 'returned') return returnedNodeId && findNode(def, returnedNodeId) ? returnedNodeId : null;
  return findNode(def, def.resubmitFrom) ? def.resubmitFrom : null;
}
