// The engine's vocabulary: what a node kind is given (facts, approver lookup), what it answers
// when run (pass on, enter a branch, wait for tasks, end) and how it judges its decided tasks.
// No database and no HTTP here, so every node kind is tested as a plain function.
import type { ApproverRule, AnyNode } from '../../../contracts/approval-flow';
import type { TaskStatus } from '../../../contracts/applications';

/** What conditions can test: the application's facts and the customer's, as submitted. */
export interface Facts {
  amountFen: number;
  termMonths: number;
  product: string;
  collateral: string | null;
  repaymentMethod: string | null;
  customer: { monthlyIncomeFen: number | null; age: number | null; city: string | null; channel: string | null };
}

export interface EngineEnv {
  facts: Facts;
  /** Active users a rule names, the applicant already left out. */
  resolve(rule: ApproverRule): Promise<number[]>;
  /** Active admins other than the applicant: who decides when a node finds nobody. */
  admins(): Promise<number[]>;
}

export interface TaskSpec {
  nodeId: string;
  nodeName: string;
  /** The parallel branch the task belongs to (null for a plain approval node). */
  branchId: string | null;
  branchName: string | null;
  assigneeId: number;
  slaHours: number | null;
}

export interface TaskState {
  id: number;
  nodeId: string;
  branchId: string | null;
  assigneeId: number;
  status: TaskStatus;
}

/** System entries of the trail (C13): who was skipped, which branch was taken, who was copied. */
export interface TrailEntry {
  action: 'auto_pass' | 'skip' | 'admin_fallback' | 'branch' | 'cc';
  nodeId: string;
  nodeName: string;
  data?: Record<string, unknown>;
}

export interface CcSpec {
  nodeId: string;
  nodeName: string;
  userIds: number[];
}

export type RunOutcome =
  | { type: 'next'; trail: TrailEntry[]; cc?: CcSpec }
  | { type: 'enter'; branch: 'then' | 'else'; trail: TrailEntry[] }
  | { type: 'wait'; tasks: TaskSpec[]; trail: TrailEntry[] }
  | { type: 'end'; trail: TrailEntry[] };

/** A waiting node's state after a decision: still pending, passed or rejected, and the tasks now moot. */
export interface Verdict {
  result: 'pending' | 'passed' | 'rejected';
  cancel: number[];
}

/** One node kind: `run` when the flow reaches it, `verdict` (the resume step) after each decision on its tasks. */
export interface NodeHandler<N extends AnyNode> {
  run(node: N, env: EngineEnv): Promise<RunOutcome>;
  verdict?(node: N, tasks: TaskState[]): Verdict;
}
