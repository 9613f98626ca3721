// The approval engine as plain functions (no database, no HTTP): every node kind, condition
// operators and the 50万 boundary, approver resolution (supervisor chain with missing levels,
// department heads, roles in a branch, the applicant never approving), any-of vs all-of, return
// and resubmit, withdraw and delegate as task states, version pinning, and working-hours SLAs.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW, FlowDefinition, type ApprovalNode, type Condition } from '../../server/src/contracts/approval-flow';
import { advance, resubmitStart, verdict } from '../../server/src/modules/approvals/engine/engine';
import { evaluateCondition } from '../../server/src/modules/approvals/engine/condition';
import { approvalVerdict } from '../../server/src/modules/approvals/engine/approval-node';
import { addWorkingHours, isWorkingTime } from '../../server/src/modules/approvals/engine/working-hours';
import { activeAdmins, resolveApprovers, type OrgSnapshot } from '../../server/src/modules/approvals/approver-resolver';
import type { EngineEnv, Facts, TaskState } from '../../server/src/modules/approvals/engine/types';
import type { TaskStatus } from '../../server/src/contracts/applications';

// ---- an org chart: HQ(1) → 杭州分公司(2) → 杭州一部(3), 杭州二部(4); 苏州分公司(5) → 苏州一部(6)
const U = { admin: 1, director: 2, risk1: 3, risk2: 4, hzMgr: 5, hz1Lead: 6, hz2Lead: 7, officer: 8, officer2: 9, szLead: 10, szOfficer: 11, gone: 12, riskSz: 13 };
function org(overrides: Partial<Record<number, { supervisorId?: number | null; status?: 'active' | 'disabled' }>> = {}, leaders: Partial<Record<number, number | null>> = {}): OrgSnapshot {
  const users: [number, string, number, number | null][] = [
    [U.admin, 'admin', 1, null], [U.director, 'director', 1, null], [U.risk1, 'risk', 1, U.director], [U.risk2, 'risk', 1, U.director],
    [U.hzMgr, 'branch_manager', 2, U.director], [U.hz1Lead, 'team_lead', 3, U.hzMgr], [U.hz2Lead, 'team_lead', 4, U.hzMgr],
    [U.officer, 'officer', 3, U.hz1Lead], [U.officer2, 'officer', 3, U.hz1Lead], [U.szLead, 'team_lead', 6, null], [U.szOfficer, 'officer', 6, U.szLead],
    [U.gone, 'team_lead', 3, U.hzMgr], [U.riskSz, 'risk', 6, null],
  ];
  const depts: [number, string, number | null, string, number | null][] = [
    [1, 'head_office', null, '/1/', U.director], [2, 'branch', 1, '/1/2/', U.hzMgr], [3, 'team', 2, '/1/2/3/', U.hz1Lead],
    [4, 'team', 2, '/1/2/4/', U.hz2Lead], [5, 'branch', 1, '/1/5/', null], [6, 'team', 5, '/1/5/6/', U.szLead],
  ];
  return {
    users: new Map(users.map(([id, role, departmentId, supervisorId]) => [id, { id, role: role as never, departmentId, supervisorId, status: id === U.gone ? 'disabled' : 'active', ...overrides[id] }])),
    departments: new Map(depts.map(([id, kind, parentId, path, leaderId]) => [id, { id, kind, parentId, path, leaderId: id in leaders ? leaders[id]! : leaderId }])),
  };
}

const facts = (over: Partial<Facts> = {}, customer: Partial<Facts['customer']> = {}): Facts => ({
  amountFen: 30_000_000, termMonths: 36, product: '房抵贷', collateral: 'house', repaymentMethod: 'equal_installment',
  ...over,
  customer: { monthlyIncomeFen: 3_000_000, age: 35, city: '杭州', channel: 'douyin', ...customer },
});

function env(f: Facts = facts(), o: OrgSnapshot = org(), applicant = U.officer): EngineEnv {
  return { facts: f, resolve: async (rule) => resolveApprovers(rule, applicant, o), admins: async () => activeAdmins(o, applicant) };
}

const def = (nodes: unknown[], resubmitFrom = 'start') => FlowDefinition.parse({ nodes, resubmitFrom });
const approval = (id: string, approvers: unknown, extra: Partial<ApprovalNode> = {}) => ({ id, kind: 'approval', name: id, approvers, ...extra });
let nextId = 1;
const tasks = (specs: [nodeId: string, assigneeId: number, status: TaskStatus, branchId?: string][]): TaskState[] =>
  specs.map(([nodeId, assigneeId, status, branchId]) => ({ id: nextId++, nodeId, assigneeId, status, branchId: branchId ?? null }));

describe('conditions: every operator, missing values, and the 50万 boundary', () => {
  const cases: [string, Condition, Facts, boolean][] = [
    ['gt below', { field: 'amountFen', op: 'gt', value: 50_000_000 }, facts({ amountFen: 49_999_999 }), false],
    ['gt exactly 50万', { field: 'amountFen', op: 'gt', value: 50_000_000 }, facts({ amountFen: 50_000_000 }), false],
    ['gt one fen over', { field: 'amountFen', op: 'gt', value: 50_000_000 }, facts({ amountFen: 50_000_001 }), true],
    ['gte exactly', { field: 'amountFen', op: 'gte', value: 50_000_000 }, facts({ amountFen: 50_000_000 }), true],
    ['lt', { field: 'termMonths', op: 'lt', value: 36 }, facts({ termMonths: 12 }), true],
    ['lt equal', { field: 'termMonths', op: 'lt', value: 36 }, facts(), false],
    ['lte equal', { field: 'termMonths', op: 'lte', value: 36 }, facts(), true],
    ['eq number', { field: 'termMonths', op: 'eq', value: 36 }, facts(), true],
    ['eq text', { field: 'product', op: 'eq', value: '房抵贷' }, facts(), true],
    ['ne text', { field: 'product', op: 'ne', value: '房抵贷' }, facts(), false],
    ['in enum', { field: 'collateral', op: 'in', value: ['house', 'vehicle'] }, facts(), true],
    ['in enum miss', { field: 'collateral', op: 'in', value: ['credit'] }, facts(), false],
    ['customer field', { field: 'customer.monthlyIncomeFen', op: 'lt', value: 1_000_000 }, facts({}, { monthlyIncomeFen: 800_000 }), true],
    ['customer age', { field: 'customer.age', op: 'gte', value: 60 }, facts({}, { age: 60 }), true],
    ['customer city in', { field: 'customer.city', op: 'in', value: ['苏州', '无锡'] }, facts(), false],
    ['missing value never matches', { field: 'customer.age', op: 'lt', value: 100 }, facts({}, { age: null }), false],
    ['missing value is "not equal"', { field: 'customer.city', op: 'ne', value: '杭州' }, facts({}, { city: null }), true],
    ['number vs text never equal', { field: 'termMonths', op: 'eq', value: '36' }, facts(), false],
  ];
  it.each(cases)('%s', (_name, c, f, want) => {
    expect(evaluateCondition(c, f)).toBe(want);
  });
});

describe('approver resolution', () => {
  const cases: [string, Parameters<typeof resolveApprovers>[0], number, OrgSnapshot, number[]][] = [
    ['supervisor level 1', { type: 'supervisor', level: 1 }, U.officer, org(), [U.hz1Lead]],
    ['supervisor level 2', { type: 'supervisor', level: 2 }, U.officer, org(), [U.hzMgr]],
    ['supervisor level 3', { type: 'supervisor', level: 3 }, U.officer, org(), [U.director]],
    ['chain shorter than the level → nobody', { type: 'supervisor', level: 4 }, U.officer, org(), []],
    ['no supervisor synced → nobody', { type: 'supervisor', level: 1 }, U.szLead, org(), []],
    ['a disabled supervisor is a missing level: theirs stands in', { type: 'supervisor', level: 1 }, U.officer, org({ [U.hz1Lead]: { status: 'disabled' } }), [U.hzMgr]],
    ['missing level shifts the chain', { type: 'supervisor', level: 2 }, U.officer, org({ [U.hz1Lead]: { status: 'disabled' } }), [U.director]],
    ['a supervisor loop does not hang', { type: 'supervisor', level: 3 }, U.officer, org({ [U.hzMgr]: { supervisorId: U.hz1Lead } }), []],
    ['department head', { type: 'dept_head', level: 1 }, U.officer, org(), [U.hz1Lead]],
    ['the applicant heads the department → the next level up', { type: 'dept_head', level: 1 }, U.hz1Lead, org(), [U.hzMgr]],
    ['department head level 2', { type: 'dept_head', level: 2 }, U.officer, org(), [U.hzMgr]],
    ['no head on a level → the next one up', { type: 'dept_head', level: 1 }, U.szOfficer, org({}, { 6: null }), [U.director]],
    ['role everywhere', { type: 'role', role: 'risk', scope: 'all' }, U.officer, org(), [U.risk1, U.risk2, U.riskSz]],
    ['role within the applicant branch', { type: 'role', role: 'team_lead', scope: 'branch' }, U.officer, org(), [U.hz1Lead, U.hz2Lead]],
    ['role within the applicant department', { type: 'role', role: 'team_lead', scope: 'department' }, U.officer, org(), [U.hz1Lead]],
    ['role within the branch, applicant excluded', { type: 'role', role: 'team_lead', scope: 'branch' }, U.hz1Lead, org(), [U.hz2Lead]],
    ['head-office applicant: branch scope is everyone', { type: 'role', role: 'risk', scope: 'branch' }, U.director, org(), [U.risk1, U.risk2, U.riskSz]],
    ['named users: disabled and applicant dropped', { type: 'users', userIds: [U.officer, U.gone, U.risk1] }, U.officer, org(), [U.risk1]],
  ];
  it.each(cases)('%s', (_name, rule, applicant, o, want) => {
    expect(resolveApprovers(rule, applicant, o)).toEqual(want);
  });

  it('admins exclude the applicant', () => {
    expect(activeAdmins(org(), U.officer)).toEqual([U.admin]);
    expect(activeAdmins(org(), U.admin)).toEqual([]);
  });
});

describe('advance: what each node kind does when the flow reaches it', () => {
  it('approval: one task per approver, waits there', async () => {
    const r = await advance(def([approval('a', { type: 'role', role: 'risk', scope: 'all' }, { slaHours: 4 })]), null, env());
    expect(r.state).toBe('waiting');
    if (r.state !== 'waiting') return;
    expect(r.tasks.map((t) => [t.nodeId, t.assigneeId, t.slaHours, t.branchId])).toEqual([['a', U.risk1, 4, null], ['a', U.risk2, 4, null], ['a', U.riskSz, 4, null]]);
  });

  it.each([
    ['auto_pass', 'auto_pass', 'approved', []],
    ['skip', 'skip', 'approved', []],
    ['admin', 'admin_fallback', 'waiting', [U.admin]],
  ] as const)('empty approver with onEmpty=%s', async (onEmpty, action, state, assignees) => {
    const r = await advance(def([approval('a', { type: 'supervisor', level: 1 }, { onEmpty })]), null, env(facts(), org(), U.szLead));
    expect(r.state).toBe(state);
    expect(r.trail.map((e) => e.action)).toEqual([action]);
    expect(r.state === 'waiting' ? r.tasks.map((t) => t.assigneeId) : []).toEqual(assignees);
  });

  it('empty approver, admin fallback, and the applicant is the only admin → passes on its own, said in the trail', async () => {
    const r = await advance(def([approval('a', { type: 'users', userIds: [U.admin] })]), null, env(facts(), org(), U.admin));
    expect(r.state).toBe('approved');
    expect(r.trail[0]).toMatchObject({ action: 'auto_pass', data: { reason: '未找到审批人,也没有可用的管理员' } });
  });

  it('the applicant is never an approver (their own supervisor chain goes up)', async () => {
    const r = await advance(def([approval('a', { type: 'role', role: 'team_lead', scope: 'department' })]), null, env(facts(), org(), U.hz1Lead));
    // The only team lead of the department is the applicant: nobody left → admin.
    expect(r.state === 'waiting' && r.tasks.map((t) => t.assigneeId)).toEqual([U.admin]);
  });

  it('condition: enters "then" when it matches, "else" otherwise, then continues after the condition', async () => {
    const flow = def([
      { id: 'c', kind: 'condition', name: '大额', condition: { field: 'amountFen', op: 'gt', value: 50_000_000 }, then: [approval('big', { type: 'role', role: 'director', scope: 'all' })], else: [approval('small', { type: 'users', userIds: [U.risk1] })] },
      approval('after', { type: 'users', userIds: [U.risk2] }),
    ]);
    const big = await advance(flow, null, env(facts({ amountFen: 50_000_001 })));
    const small = await advance(flow, null, env(facts({ amountFen: 50_000_000 })));
    expect(big.state === 'waiting' && big.nodeId).toBe('big');
    expect(small.state === 'waiting' && small.nodeId).toBe('small');
    expect(big.trail[0]).toMatchObject({ action: 'branch', data: { matched: true } });
    // After the branch node passes, the flow continues with the node after the condition.
    const next = await advance(flow, 'after', env());
    expect(next.state === 'waiting' && next.nodeId).toBe('after');
  });

  it('condition with an empty branch goes straight on', async () => {
    const flow = def([{ id: 'c', kind: 'condition', name: 'c', condition: { field: 'amountFen', op: 'gt', value: 1 }, then: [], else: [] }, approval('x', { type: 'users', userIds: [U.risk1] })]);
    const r = await advance(flow, null, env());
    expect(r.state === 'waiting' && r.nodeId).toBe('x');
  });

  it('notify: copies and moves on; end: approved', async () => {
    const r = await advance(def([approval('a', { type: 'users', userIds: [U.risk1] }), { id: 'cc', kind: 'notify', name: '抄送', recipients: { type: 'role', role: 'director', scope: 'all' } }, { id: 'e', kind: 'end', name: '结束' }]), 'cc', env());
    expect(r.state).toBe('approved');
    expect(r.cc).toEqual([{ nodeId: 'cc', nodeName: '抄送', userIds: [U.director] }]);
  });

  it('running off the last node without an end node is approval too', async () => {
    // The only named approver is the applicant: nobody left, and the node is set to skip.
    const flow = def([approval('a', { type: 'users', userIds: [U.risk1] }, { onEmpty: 'skip' })]);
    const r = await advance(flow, null, env(facts(), org(), U.risk1));
    expect(r.state).toBe('approved');
    expect(r.trail.map((e) => e.action)).toEqual(['skip']);
  });

  it('parallel all-of: tasks for every branch at once; a branch nobody staffs passes on its own', async () => {
    const flow = def([{ id: 'p', kind: 'parallel', name: '会审', mode: 'all', branches: [approval('r', { type: 'users', userIds: [U.risk1] }), approval('d', { type: 'supervisor', level: 5 }, { onEmpty: 'skip' })] }]);
    const r = await advance(flow, null, env());
    expect(r.state === 'waiting' && r.tasks.map((t) => [t.nodeId, t.branchId, t.assigneeId])).toEqual([['p', 'r', U.risk1]]);
    expect(r.trail.map((e) => `${e.action}:${e.nodeId}`)).toEqual(['skip:d']);
  });

  it('parallel any-of: a branch passing on its own passes the node', async () => {
    const flow = def([{ id: 'p', kind: 'parallel', name: '任一', mode: 'any', branches: [approval('r', { type: 'users', userIds: [U.risk1] }), approval('d', { type: 'supervisor', level: 5 }, { onEmpty: 'auto_pass' })] }]);
    expect((await advance(flow, null, env())).state).toBe('approved');
  });

  it('the default flow: 吴婷-like lead first; 50万 exactly skips the director, one fen more adds it', async () => {
    const flow = FlowDefinition.parse(DEFAULT_FLOW.definition);
    const first = await advance(flow, null, env());
    expect(first.state === 'waiting' && [first.nodeId, first.tasks.map((t) => t.assigneeId)]).toEqual(['lead', [U.hz1Lead]]);
    const afterRisk = (amountFen: number) => advance(flow, 'big', env(facts({ amountFen })));
    const exact = await afterRisk(50_000_000);
    expect(exact.state).toBe('approved');
    expect(exact.cc.map((c) => c.nodeId)).toEqual(['cc_finance']);
    const over = await afterRisk(50_000_001);
    expect(over.state === 'waiting' && over.nodeId).toBe('director');
  });
});

describe('verdict: judging a waiting node after each decision', () => {
  const cases: [string, 'any' | 'all', [string, number, TaskStatus][], 'pending' | 'passed' | 'rejected', number][] = [
    ['any: nobody yet', 'any', [['a', 1, 'pending'], ['a', 2, 'pending']], 'pending', 0],
    ['any: first approval passes, closes the rest', 'any', [['a', 1, 'approved'], ['a', 2, 'pending'], ['a', 3, 'pending']], 'passed', 2],
    ['any: first rejection rejects', 'any', [['a', 1, 'pending'], ['a', 2, 'rejected']], 'rejected', 1],
    ['all: one of two approved', 'all', [['a', 1, 'approved'], ['a', 2, 'pending']], 'pending', 0],
    ['all: everyone approved', 'all', [['a', 1, 'approved'], ['a', 2, 'approved']], 'passed', 0],
    ['all: one rejection rejects, closes the rest', 'all', [['a', 1, 'approved'], ['a', 2, 'rejected'], ['a', 3, 'pending']], 'rejected', 1],
    ['delegated tasks do not count; their replacement does', 'all', [['a', 1, 'delegated'], ['a', 2, 'approved'], ['a', 3, 'pending']], 'pending', 0],
    ['delegated, replacement approved', 'any', [['a', 1, 'delegated'], ['a', 3, 'approved']], 'passed', 0],
  ];
  it.each(cases)('%s', (_n, mode, specs, result, cancelled) => {
    const v = approvalVerdict(mode, tasks(specs));
    expect(v.result).toBe(result);
    expect(v.cancel).toHaveLength(cancelled);
  });

  const parallel = (mode: 'all' | 'any') =>
    def([{ id: 'p', kind: 'parallel', name: 'p', mode, branches: [approval('r', { type: 'role', role: 'risk', scope: 'all' }, { mode: 'any' }), approval('f', { type: 'role', role: 'finance', scope: 'all' }, { mode: 'all' })] }]);

  it('parallel all-of: an any-of branch passing closes its own leftovers but the node waits for the other branch', () => {
    const ts = tasks([['p', U.risk1, 'approved', 'r'], ['p', U.risk2, 'pending', 'r'], ['p', 20, 'pending', 'f'], ['p', 21, 'pending', 'f']]);
    const v = verdict(parallel('all'), 'p', ts);
    expect(v.result).toBe('pending');
    expect(v.cancel).toEqual([ts[1].id]);
  });

  it('parallel all-of: every branch passed → passed; a rejected branch → rejected', () => {
    expect(verdict(parallel('all'), 'p', tasks([['p', 3, 'approved', 'r'], ['p', 20, 'approved', 'f'], ['p', 21, 'approved', 'f']])).result).toBe('passed');
    const rej = tasks([['p', 3, 'pending', 'r'], ['p', 20, 'rejected', 'f'], ['p', 21, 'pending', 'f']]);
    const v = verdict(parallel('all'), 'p', rej);
    expect(v.result).toBe('rejected');
    expect(v.cancel.sort()).toEqual([rej[0].id, rej[2].id].sort());
  });

  it('parallel any-of: the first branch decided decides the node', () => {
    const ts = tasks([['p', 3, 'approved', 'r'], ['p', 20, 'pending', 'f'], ['p', 21, 'pending', 'f']]);
    const v = verdict(parallel('any'), 'p', ts);
    expect(v.result).toBe('passed');
    expect(v.cancel).toEqual([ts[1].id, ts[2].id]);
    expect(verdict(parallel('any'), 'p', tasks([['p', 3, 'pending', 'r'], ['p', 20, 'rejected', 'f'], ['p', 21, 'pending', 'f']])).result).toBe('rejected');
  });

  it('only the node’s own tasks count', () => {
    const flow = def([approval('a', { type: 'users', userIds: [1] }), approval('b', { type: 'users', userIds: [2] })]);
    expect(verdict(flow, 'b', tasks([['a', 1, 'approved'], ['b', 2, 'pending']])).result).toBe('pending');
  });
});

describe('return and resubmit, withdraw, version pinning', () => {
  const nodes = [approval('lead', { type: 'supervisor', level: 1 }), approval('risk', { type: 'role', role: 'risk', scope: 'all' }), approval('boss', { type: 'users', userIds: [U.director] })];

  it.each([
    ['start', 'risk', null],
    ['returned', 'risk', 'risk'],
    ['boss', 'lead', 'boss'],
  ] as const)('resubmitFrom=%s, returned at %s → restarts at %s', async (from, returnedAt, start) => {
    const flow = def(nodes, from);
    expect(resubmitStart(flow, returnedAt)).toBe(start);
    const r = await advance(flow, start, env());
    expect(r.state === 'waiting' && r.nodeId).toBe(start ?? 'lead');
  });

  it('"returned" with a node the version no longer has starts from the top', () => {
    expect(resubmitStart(def(nodes, 'returned'), 'gone')).toBeNull();
  });

  it('a withdrawn or returned round leaves only closed tasks: nothing to judge as passed', () => {
    const flow = def(nodes);
    expect(verdict(flow, 'risk', tasks([['risk', 3, 'cancelled'], ['risk', 4, 'cancelled']])).result).toBe('pending');
    expect(verdict(flow, 'risk', tasks([['risk', 3, 'returned'], ['risk', 4, 'cancelled']])).result).toBe('pending');
  });

  it('a pinned version runs as written, whatever a newer version says', async () => {
    // The service hands the engine the version an application started with (see the HTTP test);
    // the engine has no notion of "current": v1 still starts with the lead, v2 (lead removed) does not.
    const v1 = def(nodes);
    const v2 = def(nodes.slice(1));
    const [r1, r2] = await Promise.all([advance(v1, resubmitStart(v1, 'risk'), env()), advance(v2, null, env())]);
    expect(r1.state === 'waiting' && r1.nodeId).toBe('lead');
    expect(r2.state === 'waiting' && r2.nodeId).toBe('risk');
  });
});

describe('flow definitions are validated like the editor validates them', () => {
  const bad: [string, unknown, string][] = [
    ['no approval node', { nodes: [{ id: 'e', kind: 'end', name: '结束' }] }, '至少需要 1 个审批节点'],
    ['duplicate ids', { nodes: [approval('a', { type: 'users', userIds: [1] }), approval('a', { type: 'users', userIds: [2] })] }, '重复'],
    ['end not last', { nodes: [{ id: 'e', kind: 'end', name: '结束' }, approval('a', { type: 'users', userIds: [1] })] }, '最后一个'],
    ['text operator on money', { nodes: [{ id: 'c', kind: 'condition', name: 'c', condition: { field: 'amountFen', op: 'in', value: ['1'] }, then: [approval('a', { type: 'users', userIds: [1] })] }] }, '不能用'],
    ['fractional fen', { nodes: [{ id: 'c', kind: 'condition', name: 'c', condition: { field: 'amountFen', op: 'gt', value: 1.5 }, then: [approval('a', { type: 'users', userIds: [1] })] }] }, '精确到分'],
    ['unknown enum value', { nodes: [{ id: 'c', kind: 'condition', name: 'c', condition: { field: 'collateral', op: 'eq', value: 'gold' }, then: [approval('a', { type: 'users', userIds: [1] })] }] }, '可选范围'],
    ['resubmit from nowhere', { nodes: [approval('a', { type: 'users', userIds: [1] })], resubmitFrom: 'zzz' }, '重新提交的起点'],
    ['parallel with one branch', { nodes: [{ id: 'p', kind: 'parallel', name: 'p', branches: [approval('a', { type: 'users', userIds: [1] })] }] }, '至少需要 2 个分支'],
  ];
  it.each(bad)('%s', (_n, input, message) => {
    const r = FlowDefinition.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join(';')).toContain(message);
  });

  it('the default flow is valid', () => {
    expect(FlowDefinition.safeParse(DEFAULT_FLOW.definition).success).toBe(true);
  });
});

describe('working hours (Mon–Fri 09:00–18:00 Asia/Shanghai)', () => {
  const at = (s: string) => new Date(`${s}+08:00`);
  const cases: [string, string, number, string][] = [
    ['within a day', '2026-11-23T10:00:00', 4, '2026-11-23T14:00:00'],
    ['ends exactly at 18:00', '2026-11-23T14:00:00', 4, '2026-11-23T18:00:00'],
    ['spills into the next morning', '2026-11-23T17:00:00', 2, '2026-11-24T10:00:00'],
    ['Friday evening → Monday', '2026-11-27T17:00:00', 2, '2026-11-30T10:00:00'],
    ['started at night → counts from 09:00', '2026-11-24T22:30:00', 1, '2026-11-25T10:00:00'],
    ['started on Sunday', '2026-11-29T12:00:00', 8, '2026-11-30T17:00:00'],
    ['a full working week', '2026-11-23T09:00:00', 45, '2026-11-27T18:00:00'],
  ];
  it.each(cases)('%s', (_n, start, hours, due) => {
    expect(addWorkingHours(at(start), hours).toISOString()).toBe(at(due).toISOString());
  });

  it('knows when it is working time', () => {
    expect(isWorkingTime(at('2026-11-23T09:00:00'))).toBe(true);
    expect(isWorkingTime(at('2026-11-23T18:00:00'))).toBe(false);
    expect(isWorkingTime(at('2026-11-28T11:00:00'))).toBe(false); // Saturday
  });
});
