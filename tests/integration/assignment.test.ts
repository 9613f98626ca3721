// Auto-assignment (C7): admin-only rule CRUD with validation and audit; partner leads assigned
// by the first matching rule (named person, team round-robin, least-loaded), skipping disabled
// people and people past the daily cap, notified by the bot at once; staff keep their own
// customers; working-hours-only rules queue to the next working morning or pool; and 1,000
// leads arriving in parallel to a team of 5 end up 200 each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transaction } from 'sequelize';
import { createTestApp, customerInput, newPhone, TEST_DB, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, exec, expectError, intake, rows } from '../helpers/fixtures';
import { createCustomerService } from '../../server/src/modules/customers/customer.service';
import { createAssignmentService } from '../../server/src/modules/assignment/assignment.service';
import { DEMO_PARTNER } from '../../sql/seeds/demo';

let t: TestApp;
let admin: Client;
let zhang: Client;
// Monday 2026-11-23 10:00 Shanghai: working time. Tests move it to reach nights and weekends.
let clock = Date.parse('2026-11-23T02:00:00Z');
const xhr = { 'X-Requested-With': 'XMLHttpRequest' };

const dept = async (name: string) => Number((await rows(t, 'SELECT id FROM departments WHERE name = ?', [name]))[0].id);
const lead = (o: Record<string, unknown> = {}) => ({ name: '渠道客户', phone: newPhone(), city: '杭州', loanAmountFen: 30000000, ...o });
const send = async (leads: unknown[]) => {
  const res = await intake(t, JSON.stringify({ leads }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.results as { status: string; customerId: number }[]).map((r) => r.customerId);
};
const ownerName = async (customerId: number) => {
  const [r] = await rows(t, 'SELECT u.name FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?', [customerId]);
  return (r?.name as string | null) ?? null;
};
const rule = (o: Record<string, unknown>) => ({ name: '规则', conditions: { match: 'all', conditions: [] }, targetType: 'team', ...o });
const create = async (o: Record<string, unknown>) => {
  const res = await admin.post('/api/v1/admin/assignment-rules', rule(o));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number };
};
const clearRules = () => exec(t, 'DELETE FROM assignment_rules');

beforeAll(async () => {
  t = await createTestApp({ build: { bot: { now: () => clock } } });
  admin = await t.loginAs('王敏');
  zhang = await t.loginAs('张伟');
});
afterAll(async () => t?.close());

describe('rules admin', () => {
  it('is for admins only', async () => {
    expectError(await zhang.get('/api/v1/admin/assignment-rules'), 403, 'FORBIDDEN');
    expectError(await zhang.post('/api/v1/admin/assignment-rules', rule({ targetDepartmentId: 1 })), 403, 'FORBIDDEN');
    expect(await count(t, 'assignment_rules')).toBe(0);
  });

  it('refuses bad rules with a field and a Chinese message, and changes nothing', async () => {
    const bad = [
      [rule({ name: '' }), 'name', '请填写规则名称'],
      [rule({ targetDepartmentId: undefined }), 'targetDepartmentId', '请选择团队'],
      [rule({ targetType: 'user' }), 'targetUserId', '请选择员工'],
      [rule({ targetDepartmentId: 1, conditions: { match: 'all', conditions: [{ field: 'customer.loanAmountFen', op: 'gt', value: '100' }] } }), 'conditions.conditions.0.value', '「贷款金额」的比较值应为金额(分,整数)'],
      [rule({ targetDepartmentId: 1, dailyCap: 0 }), 'dailyCap', '每日上限至少为 1'],
      [rule({ targetDepartmentId: 999999 }), 'targetDepartmentId', '团队不存在'],
      [rule({ targetType: 'user', targetUserId: 999999 }), 'targetUserId', '员工不存在或已停用'],
    ] as const;
    for (const [body, field, message] of bad) {
      const res = await admin.post('/api/v1/admin/assignment-rules', body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields).toContainEqual({ field, message });
    }
    expect(await count(t, 'assignment_rules')).toBe(0);
    expect(await count(t, 'audit_logs', "entity_type = 'assignment_rule'")).toBe(0);
  });

  it('creates, edits, disables, reorders and deletes, each change audited', async () => {
    const team = await dept('杭州一部');
    const a = await create({ name: 'A', targetDepartmentId: team });
    const b = await create({ name: 'B', targetType: 'user', targetUserId: await t.userId('刘洋'), dailyCap: 5 });
    let list = await admin.get('/api/v1/admin/assignment-rules');
    expect(list.body.items.map((r: { name: string; position: number }) => [r.name, r.position])).toEqual([['A', 1], ['B', 2]]);

    const edit = await admin.agent.put(`/api/v1/admin/assignment-rules/${a.id}`).set(xhr).send(rule({ name: 'A2', targetDepartmentId: team, strategy: 'least_loaded', workingHoursOnly: true, outsideHours: 'pool' }));
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body).toMatchObject({ name: 'A2', strategy: 'least_loaded', workingHoursOnly: true, outsideHours: 'pool', enabled: true });
    expect((await admin.post(`/api/v1/admin/assignment-rules/${a.id}/enabled`, { enabled: false })).body.enabled).toBe(false);

    expectError(await admin.agent.put('/api/v1/admin/assignment-rules/order').set(xhr).send({ ids: [b.id] }), 422, 'VALIDATION_FAILED');
    const re = await admin.agent.put('/api/v1/admin/assignment-rules/order').set(xhr).send({ ids: [b.id, a.id] });
    expect(re.status, JSON.stringify(re.body)).toBe(200);
    expect(re.body.items.map((r: { name: string }) => r.name)).toEqual(['B', 'A2']);

    expect((await admin.agent.delete(`/api/v1/admin/assignment-rules/${b.id}`).set(xhr)).status).toBe(200);
    expectError(await admin.get(`/api/v1/admin/assignment-rules/${b.id}`), 404, 'NOT_FOUND');
    list = await admin.get('/api/v1/admin/assignment-rules');
    expect(list.body.items.map((r: { name: string; enabled: boolean }) => [r.name, r.enabled])).toEqual([['A2', false]]);

    const audit = await rows(t, "SELECT action, actor_id FROM audit_logs WHERE entity_type = 'assignment_rule' ORDER BY id");
    expect(audit.map((r) => r.action)).toEqual(['create', 'create', 'update', 'disable', 'reorder', 'delete']);
    const wangMin = await t.userId('王敏');
    expect(audit.every((r) => Number(r.actor_id) === wangMin)).toBe(true);
    await clearRules();
  });
});

describe('assigning partner leads', () => {
  it('takes the first matching rule: a named person for big loans, the team round-robin for a city, else the pool; owners are told at once', async () => {
    const liu = await t.userId('刘洋');
    await create({
      name: '大额给刘洋',
      targetType: 'user',
      targetUserId: liu,
      conditions: { match: 'all', conditions: [{ field: 'customer.channel', op: 'eq', value: DEMO_PARTNER.code }, { field: 'customer.loanAmountFen', op: 'gte', value: 100000000 }] },
    });
    await create({ name: '杭州线索', targetDepartmentId: await dept('杭州一部'), conditions: { match: 'any', conditions: [{ field: 'customer.city', op: 'matches_region', value: ['杭州'] }] } });

    const ids = await send([
      lead({ name: '大额客户', loanAmountFen: 200000000, city: '上海' }),
      lead({ name: '杭州甲' }),
      lead({ name: '杭州乙', city: '杭州市' }),
      lead({ name: '杭州丙' }),
      lead({ name: '杭州丁' }),
      lead({ name: '杭州戊' }),
      lead({ name: '上海客户', city: '上海' }),
    ]);
    // Team 杭州一部 in id order: 吴婷 (lead), 张伟, 刘洋, 黄静 — then round again.
    expect(await Promise.all(ids.map(ownerName))).toEqual(['刘洋', '吴婷', '张伟', '刘洋', '黄静', '吴婷', null]);

    const [c] = await rows(t, 'SELECT department_id, assigned_at, pooled_at, pool_reason FROM customers WHERE id = ?', [ids[1]]);
    expect(Number(c.department_id)).toBe(await dept('杭州一部'));
    expect(c.assigned_at).not.toBeNull();
    expect(c.pooled_at).toBeNull();
    expect(c.pool_reason).toBeNull();
    expect((await rows(t, 'SELECT pool_reason FROM customers WHERE id = ?', [ids[6]]))[0].pool_reason).toBe('渠道线索待分配');

    const history = await rows(t, 'SELECT kind, to_user_id, reason FROM customer_owner_changes WHERE customer_id = ? ORDER BY id', [ids[0]]);
    expect(history).toEqual([
      { kind: 'intake', to_user_id: null, reason: null },
      { kind: 'assign', to_user_id: liu, reason: '自动分配:大额给刘洋' },
    ]);
    expect(await count(t, 'audit_logs', "action = 'auto_assign' AND entity_id = ?", [String(ids[0])])).toBe(1);
    const [ev] = await rows(t, "SELECT payload FROM domain_events WHERE type = 'customer.owner_changed' AND aggregate_id = ?", [String(ids[0])]);
    expect(JSON.parse(String(ev.payload))).toMatchObject({ customerId: ids[0], from: null, to: liu, kind: 'assign' });

    const notes = await rows(t, "SELECT recipient_user_id, payload, ref_id FROM bot_messages WHERE kind = 'lead_assigned' AND ref_id IN (?) ORDER BY id", [ids.map(String)]);
    expect(notes.map((n) => [Number(n.ref_id), n.recipient_user_id])).toEqual([
      [ids[0], liu], [ids[1], await t.userId('吴婷')], [ids[2], await t.userId('张伟')], [ids[3], liu], [ids[4], await t.userId('黄静')], [ids[5], await t.userId('吴婷')],
    ]);
    const payload = JSON.parse(String(notes[0].payload));
    expect(payload).toMatchObject({ title: '新线索已分配给你', url: `/customers/${ids[0]}` });
    expect(payload.fields).toContainEqual({ label: '客户', value: '大额客户' });

    // The new owner sees the customer; nobody else in the team does through "mine".
    const mine = await zhang.get(`/api/v1/customers/${ids[2]}`);
    expect(mine.status).toBe(200);
    await clearRules();
  });

  it('skips disabled people and people past the daily cap; when the whole team is full the next rule or the pool takes the lead', async () => {
    const team = await dept('杭州二部'); // 郑浩 (lead), 何丹, 林峰
    await exec(t, "UPDATE users SET status = 'disabled', disabled_at = ? WHERE name = '何丹'", [new Date()]);
    await create({ name: '二部限额', targetDepartmentId: team, dailyCap: 1, conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '嘉兴' }] } });
    await create({ name: '兜底给宋佳', targetType: 'user', targetUserId: await t.userId('宋佳'), dailyCap: 1, conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '嘉兴' }] } });
    const ids = await send([lead({ city: '嘉兴' }), lead({ city: '嘉兴' }), lead({ city: '嘉兴' }), lead({ city: '嘉兴' })]);
    expect(await Promise.all(ids.map(ownerName))).toEqual(['郑浩', '林峰', '宋佳', null]);
    expect(await count(t, 'bot_messages', "kind = 'lead_assigned' AND recipient_user_id = (SELECT id FROM users WHERE name = '何丹')")).toBe(0);
    await exec(t, "UPDATE users SET status = 'active', disabled_at = NULL WHERE name = '何丹'");
    await clearRules();
  });

  it('least-loaded gives each lead to the member with the fewest open customers', async () => {
    const team = await dept('苏州一部'); // 罗琳 (lead), 梁宇, 宋佳, 唐磊
    // Open books: 罗琳 2, 梁宇 0, 宋佳 1 (+1 from the cap test), 唐磊 1 plus a settled one that does not count.
    const songJia = await t.userId('宋佳');
    const give = async (name: string, stage = 'lead') => {
      const [id] = await send([lead({ city: '无锡' })]);
      await exec(t, 'UPDATE customers SET owner_id = ?, stage = ? WHERE id = ?', [await t.userId(name), stage, id]);
    };
    await give('罗琳');
    await give('罗琳');
    await give('唐磊');
    await give('唐磊', 'settled');
    expect(await count(t, 'customers', "owner_id = ? AND stage = 'lead'", [songJia])).toBe(1);
    await create({ name: '苏州最少', targetDepartmentId: team, strategy: 'least_loaded', conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '苏州' }] } });
    const ids = await send([lead({ city: '苏州' }), lead({ city: '苏州' }), lead({ city: '苏州' }), lead({ city: '苏州' })]);
    // Loads 罗琳 2, 梁宇 0, 宋佳 1, 唐磊 1: 梁宇 (→1); then 梁宇, 宋佳, 唐磊 tie at 1 and the one after the
    // last pick wins: 宋佳 (→2), 唐磊 (→2); now 梁宇 alone has 1.
    expect(await Promise.all(ids.map(ownerName))).toEqual(['梁宇', '宋佳', '唐磊', '梁宇']);
    await clearRules();
  });

  it('a staff member registering their own customer stays its owner, whatever the rules say', async () => {
    await create({ name: '全部给二部', targetDepartmentId: await dept('杭州二部') });
    const mine = await createCustomer(zhang, { city: '杭州' });
    expect(await ownerName(mine.id)).toBe('张伟');
    expect(await count(t, 'customer_owner_changes', 'customer_id = ?', [mine.id])).toBe(1);
    expect(await count(t, 'bot_messages', "kind = 'lead_assigned' AND ref_id = ?", [String(mine.id)])).toBe(0);
    await clearRules();
  });
});

describe('a rule that cannot be evaluated', () => {
  it('is reported (audit rule_problem with the Chinese reason) and the lead goes on to the next rule; intake does not fail', async () => {
    const r = await create({ name: '按年龄', targetDepartmentId: await dept('杭州一部'), conditions: { match: 'all', conditions: [{ field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }] } });
    await create({ name: '温州兜底', targetDepartmentId: await dept('杭州二部'), conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '温州' }] } });
    const [id] = await send([lead({ city: '温州' })]); // no ID number
    expect(['郑浩', '何丹', '林峰']).toContain(await ownerName(id));
    const [a] = await rows(t, "SELECT actor_id, after_data FROM audit_logs WHERE action = 'rule_problem' AND entity_type = 'assignment_rule' AND entity_id = ?", [String(r.id)]);
    expect(a.actor_id).toBeNull();
    const after = JSON.parse(String(a.after_data));
    expect(after).toMatchObject({ customerId: id, ruleName: '按年龄', matched: false });
    expect(after.problems[0].field).toBe('customer.idNumber');
    expect(after.problems[0].reason).toMatch(/[\u4e00-\u9fa5]/);
    await clearRules();
  });
});

describe('working hours', () => {
  const saturday = Date.parse('2026-11-28T02:00:00Z'); // Saturday 10:00 Shanghai
  const monday = Date.parse('2026-11-30T01:05:00Z'); // Monday 09:05 Shanghai

  it('outside working hours queues the lead to the next working morning, then the job assigns it and tells the owner', async () => {
    const team = await dept('杭州一部');
    await create({ name: '工作时间', targetDepartmentId: team, workingHoursOnly: true, outsideHours: 'queue', conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '温州' }] } });
    await create({ name: '夜间入池', targetDepartmentId: team, workingHoursOnly: true, outsideHours: 'pool', conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '台州' }] } });
    clock = saturday;
    const [queued, pooled] = await send([lead({ city: '温州' }), lead({ city: '台州' })]);
    expect(await ownerName(queued)).toBeNull();
    expect(await ownerName(pooled)).toBeNull();
    expect((await rows(t, 'SELECT pool_reason FROM customers WHERE id = ?', [queued]))[0].pool_reason).toBe('非工作时间进入,待上班后自动分配');
    expect((await rows(t, 'SELECT pool_reason FROM customers WHERE id = ?', [pooled]))[0].pool_reason).toBe('非工作时间进入,按规则放入公海');
    const [q] = await rows(t, 'SELECT customer_id, status, due_at FROM assignment_queue');
    expect(Number(q.customer_id)).toBe(queued);
    expect(new Date(q.due_at as string).toISOString()).toBe('2026-11-30T01:00:00.000Z'); // Monday 09:00

    const svc = createAssignmentService(t.deps, { now: () => new Date(clock) });
    expect(await svc.runQueue()).toEqual({ assigned: 0, pooled: 0 }); // still Saturday
    clock = monday;
    expect(await svc.runQueue()).toEqual({ assigned: 1, pooled: 0 });
    expect(await ownerName(queued)).not.toBeNull();
    expect(await count(t, 'bot_messages', "kind = 'lead_assigned' AND ref_id = ?", [String(queued)])).toBe(1);
    expect((await rows(t, 'SELECT status FROM assignment_queue'))[0].status).toBe('done');
    expect(await svc.runQueue()).toEqual({ assigned: 0, pooled: 0 }); // once only
    expect(await ownerName(pooled)).toBeNull();
    clock = Date.parse('2026-11-23T02:00:00Z');
    await clearRules();
  });

  it('a queued lead someone claimed meanwhile is left with them', async () => {
    await create({ name: '工作时间', targetDepartmentId: await dept('杭州一部'), workingHoursOnly: true, conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '温州' }] } });
    clock = saturday;
    const [id] = await send([lead({ city: '温州' })]);
    await exec(t, 'UPDATE customers SET owner_id = ? WHERE id = ?', [await t.userId('何丹'), id]);
    clock = monday;
    const svc = createAssignmentService(t.deps, { now: () => new Date(clock) });
    expect(await svc.runQueue()).toEqual({ assigned: 0, pooled: 0 });
    expect(await ownerName(id)).toBe('何丹');
    expect((await rows(t, 'SELECT status FROM assignment_queue WHERE customer_id = ?', [id]))[0].status).toBe('skipped');
    clock = Date.parse('2026-11-23T02:00:00Z');
    await clearRules();
  });
});

describe('fairness under concurrency', () => {
  it(`1,000 leads arriving in parallel to a team of 5 end up 200 each (${TEST_DB})`, async () => {
    const m = t.deps.db.models;
    const branch = await dept('杭州分公司');
    const team = await m.Department.create({ name: '并发测试组', kind: 'team', parentId: branch, path: '/' });
    await team.update({ path: `/1/${branch}/${team.id}/` });
    const members = [];
    for (let i = 1; i <= 5; i++) members.push((await m.User.create({ name: `并发${i}`, role: 'officer', departmentId: team.id, supervisorId: null, title: '信贷经理' })).id);
    await create({ name: '并发', targetDepartmentId: team.id, conditions: { match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: '并发城' }] } });

    const customers = createCustomerService(t.deps);
    const started = Date.now();
    // 32 workers keep the connection pool (10 on MySQL) saturated with competing transactions
    // without leaving hundreds waiting for a connection past the pool's acquire timeout.
    let next = 0;
    let created = 0;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        await t.deps.db.transaction((tx: Transaction) => customers.insertCustomer(null, { ...customerInput({ name: `并发客户${i}`, city: '并发城', channel: DEMO_PARTNER.code }) } as never, null, 'intake', tx));
        created++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    expect(created).toBe(1000);
    const per = await rows(t, 'SELECT owner_id, COUNT(*) AS n FROM customers WHERE city = ? GROUP BY owner_id', ['并发城']);
    const counts = Object.fromEntries(per.map((r) => [Number(r.owner_id), Number(r.n)]));
    expect(Object.keys(counts).map(Number).sort((a, b) => a - b)).toEqual(members);
    for (const n of Object.values(counts)) expect(Math.abs(n - 200)).toBeLessThanOrEqual(1);
    expect(await count(t, 'bot_messages', "kind = 'lead_assigned' AND recipient_user_id IN (?)", [members])).toBe(1000);
    const [c] = await rows(t, 'SELECT assigned, last_user_id FROM assignment_counters WHERE target_key = ?', [`team:${team.id}`]);
    expect(Number(c.assigned)).toBe(1000);
    console.log(`1,000 parallel leads on ${TEST_DB}: ${Date.now() - started} ms`);
  }, 180_000);
});
