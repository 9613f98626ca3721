// Walking a flow definition: where a node sits, and which node comes after it. The schema itself
// lives in contracts/approval-flow.ts (shared with the H5 editor); this file only navigates it.
import type { AnyNode, BranchNode, FlowDefinition } from '../../contracts/approval-flow';

interface Located {
  node: AnyNode;
  /** The nodes list the node belongs to, and its index there. */
  list: AnyNode[];
  index: number;
  /** The condition node whose branch holds it (null at the top level). */
  parentId: string | null;
}

function locate(def: FlowDefinition, id: string): Located | null {
  for (let i = 0; i < def.nodes.length; i++) {
    const n = def.nodes[i];
    if (n.id === id) return { node: n, list: def.nodes, index: i, parentId: null };
    if (n.kind === 'condition') {
      for (const list of [n.then, n.else] as BranchNode[][]) {
        const j = list.findIndex((b) => b.id === id);
        if (j >= 0) return { node: list[j], list, index: j, parentId: n.id };
      }
    }
  }
  return null;
}

/** The node with this id anywhere in the flow (parallel branches included), or null. */
export function findNode(def: FlowDefinition, id: string): AnyNode | null {
  const hit = locate(def, id);
  if (hit) return hit.node;
  for (const n of def.nodes) {
    const lists = n.kind === 'condition' ? [...n.then, ...n.else] : [n];
    for (const m of lists) if (m.kind === 'parallel') for (const b of m.branches) if (b.id === id) return b;
  }
  return null;
}

/** The id of the node that runs after `id` once it has passed (null: the flow is done). */
export function successorId(def: FlowDefinition, id: string): string | null {
  const hit = locate(def, id);
  if (!hit) throw new Error(`node ${id} is not in the flow`);
  if (hit.index + 1 < hit.list.length) return hit.list[hit.index + 1].id;
  return hit.parentId ? successorId(def, hit.parentId) : null;
}

export function firstNodeId(def: FlowDefinition): string {
  return def.nodes[0].id;
}

/** Every node a task can wait on, for listing the flow's steps. */
export function approvalSteps(def: FlowDefinition): { id: string; name: string; conditional: boolean }[] {
  const out: { id: string; name: string; conditional: boolean }[] = [];
  for (const n of def.nodes) {
    if (n.kind === 'approval' || n.kind === 'parallel') out.push({ id: n.id, name: n.name, conditional: false });
    if (n.kind === 'condition') for (const b of [...n.then, ...n.else]) if (b.kind !== 'notify') out.push({ id: b.id, name: b.name, conditional: true });
  }
  return out;
}
