// Stage changes (C5): every allowed transition succeeds and leaves a stage-history row, an audit
// row and a domain event in one go; every other move is 409 and leaves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGE_KEYS, STAGE_TRANSITIONS, STAGES, type Stage } from '../../server/src/contracts/stages';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { createCustomer, customerRow, exec, expectError, rows, snapshotCounts, type CreatedCustomer } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client;
let cust: CreatedCustomer;
let zhangId: number;

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  zhangId = await t.userId('张伟');
  cust = await createCustomer(zhang, { name: '阶段客户' });
});
afterAll(async () => t?.close());

const setStage = (id: number, stage: Stage) => exec(t, 'UPDATE customers SET stage = ? WHERE id = ?', [stage, id]);

const allowed = STAGE_KEYS.flatMap((from) => STAGE_TRANSITIONS[from].map((to) => [from, to] as const));
const refused = STAGE_KEYS.flatMap((from) => STAGE_KEYS.filter((to) => !STAGE_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const));

describe('allowed transitions', () => {
  it('the table covers the main line, the exits and the way back', () => {
    expect(allowed).toHaveLength(19);
    expect(refused).toHaveLength(81);
  });

  for (const [from, to] of allowed) {
    it(`${STAGES[from]} → ${STAGES[to]}`, async () => {
      await setStage(cust.id, from);
      const before = await snapshotCounts(t);
      const rowBefore = await customerRow(t, cust.id);
      const res = await zhang.post(`/api/v1/customers/${cust.id}/stage`, { to, reason: `理由-${from}-${to}` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ id: cust.id, stage: to, stageName: STAGES[to] });

      const row = await customerRow(t, cust.id);
      expect(row.stage).toBe(to);
      expect(new Date(String(row.stage_changed_at)).getTime()).toBeGreaterThanOrEqual(new Date(String(rowBefore.stage_changed_at)).getTime());
      expect(await snapshotCounts(t)).toEqual({
        ...before,
        customer_stage_changes: before.customer_stage_changes + 1,
        audit_logs: before.audit_logs + 1,
        domain_events: before.domain_events + 1,
      });
      const [change] = await rows(t, 'SELECT * FROM customer_stage_changes WHERE customer_id = ? ORDER BY id DESC LIMIT 1', [cust.id]);
      expect(change).toMatchObject({ from_stage: from, to_stage: to, reason: `理由-${from}-${to}` });
      expect(Number(change.actor_id)).toBe(zhangId);
      const [audit] = await rows(t, 'SELECT * FROM audit_logs ORDER BY id DESC LIMIT 1');
      expect(audit).toMatchObject({ action: 'stage_change', entity_type: 'customer', entity_id: String(cust.id) });
      expect(Number(audit.actor_id)).toBe(zhangId);
      expect(JSON.parse(String(audit.before_data))).toEqual({ stage: from });
      expect(JSON.parse(String(audit.after_data))).toEqual({ stage: to, reason: `理由-${from}-${to}` });
      const [event] = await rows(t, 'SELECT * FROM domain_events ORDER BY id DESC LIMIT 1');
      expect(event).toMatchObject({ type: 'customer.stage_changed', aggregate_type: 'customer', aggregate_id: String(cust.id), processed_at: null });
      expect(JSON.parse(String(event.payload))).toEqual({ customerId: cust.id, from, to, ownerId: zhangId });
    });
  }
});

describe('refused transitions', () => {
  it('every move not in the table is 409 INVALID_STAGE_TRANSITION and writes nothing', async () => {
    // Row counts only grow, so equal totals around the loop mean no refused move wrote anything.
    const before = await snapshotCounts(t);
    for (const [from, to] of refused) {
      await setStage(cust.id, from);
      const rowBefore = await customerRow(t, cust.id);
      const res = await zhang.post(`/api/v1/customers/${cust.id}/stage`, { to });
      expectError(res, 409, 'INVALID_STAGE_TRANSITION');
      expect(res.body.error.message).toBe(`不能从「${STAGES[from]}」变更为「${STAGES[to]}」`);
      expect(res.body.error.details).toEqual({ from, to });
      expect(await customerRow(t, cust.id)).toEqual(rowBefore);
    }
    expect(await snapshotCounts(t)).toEqual(before);
  });
});

describe('history', () => {
  it('walks the main line and lists every change, newest first, with names', async () => {
    const c = await createCustomer(zhang, { name: '全流程' });
    const line: Stage[] = ['intent', 'due_diligence', 'under_approval', 'signed', 'disbursed', 'repaying', 'settled'];
    for (const to of line) expect((await zhang.post(`/api/v1/customers/${c.id}/stage`, { to })).status).toBe(200);
    // A team lead moves a team member's customer too, and is recorded as the actor.
    const c2 = await createCustomer(zhang, { name: '主管推进' });
    const lead = await t.loginAs('吴婷');
    expect((await lead.post(`/api/v1/customers/${c2.id}/stage`, { to: 'lost', reason: '客户失联' })).status).toBe(200);

    const h = await zhang.get(`/api/v1/customers/${c.id}/history`);
    expect(h.status).toBe(200);
    const stages = h.body.stages.map((s: { from: string; to: string; fromName: string; toName: string; actorName: string }) => [s.from, s.to, s.fromName, s.toName, s.actorName]);
    const froms: Stage[] = ['lead', ...line.slice(0, -1)];
    const expected = line.map((to, i) => [froms[i], to, STAGES[froms[i]], STAGES[to], '张伟']).reverse();
    expect(stages).toEqual([...expected, [null, 'lead', null, '线索', '张伟']]);
    expect(h.body.owners).toEqual([expect.objectContaining({ kind: 'create', fromUserName: null, toUserName: '张伟', actorName: '张伟' })]);
    expect(h.body.stages.every((s: { at: string }) => !Number.isNaN(Date.parse(s.at)))).toBe(true);

    const h2 = await zhang.get(`/api/v1/customers/${c2.id}/history`);
    expect(h2.body.stages[0]).toMatchObject({ from: 'lead', to: 'lost', actorName: '吴婷', reason: '客户失联' });
  });

  it('two concurrent moves from the same stage: one wins, the other is refused', async () => {
    for (let round = 0; round < 3; round++) {
      // From 审批中: 已签约 and back to 已尽调 exclude each other.
      const c = await createCustomer(zhang);
      await setStage(c.id, 'under_approval');
      const lead = await t.loginAs('吴婷');
      const [a, b] = await Promise.all([
        zhang.post(`/api/v1/customers/${c.id}/stage`, { to: 'signed' }),
        lead.post(`/api/v1/customers/${c.id}/stage`, { to: 'due_diligence' }),
      ]);
      const winner = a.status === 200 ? 'signed' : 'due_diligence';
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect((a.status === 409 ? a : b).body.error.code).toBe('INVALID_STAGE_TRANSITION');
      expect((await customerRow(t, c.id)).stage).toBe(winner);
      const changes = await rows(t, 'SELECT from_stage, to_stage FROM customer_stage_changes WHERE customer_id = ? ORDER BY id', [c.id]);
      expect(changes).toEqual([{ from_stage: null, to_stage: 'lead' }, { from_stage: 'under_approval', to_stage: winner }]);
    }
  });

  it('a settled customer stays settled', async () => {
    const c = await createCustomer(zhang);
    await setStage(c.id, 'settled');
    for (const to of STAGE_KEYS) expect((await zhang.post(`/api/v1/customers/${c.id}/stage`, { to })).status).toBe(409);
  });
});
