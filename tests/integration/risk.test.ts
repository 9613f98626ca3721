// Risk pre-checks over HTTP on a real database (C10): the result attached at submission and shown
// in the application API and on the approval card, a reject-level result blocking submission
// (nothing changed), the override by risk staff only and only with a reason (audited), ages on
// the Shanghai business date, 多头申请, the blacklist kept as a blind index, and audited rule edits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeIdNumber, newPhone, type Client, type TestApp } from '../helpers/test-app';
import { count, customerRow, expectError, expectValidation, rows } from '../helpers/fixtures';
import { applicationInput, applicationRow, readyCustomer } from '../helpers/applications';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createRiskService } from '../../server/src/modules/risk/risk.service';

let t: TestApp;
let zhang: Client; // 信贷员
let li: Client; // 风控 李娜
let chen: Client; // 总监
let admin: Client; // 王敏
let seq = 100;
const FILES = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-risk-files-'));
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF fake body '.repeat(50))]);

beforeAll(async () => {
  t = await createTestApp({ env: { APPLICATION_FILES_DIR: FILES } });
  [zhang, li, chen, admin] = await Promise.all(['张伟', '李娜', '陈刚', '王敏'].map((n) => t.loginAs(n)));
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(FILES, { recursive: true, force: true });
});

/** YYYYMMDD of someone who turns `age` on the Shanghai date `plusDays` from today. */
function bornYearsAgo(age: number, plusDays = 0): string {
  const d = addDays(shanghaiDate(), plusDays);
  return `${Number(d.slice(0, 4)) - age}${d.slice(5, 7)}${d.slice(8, 10)}`;
}

/** A ready customer of 张伟 born on `birth` (YYYYMMDD), with a draft application. */
async function draftFor(birth: string | null, customer: Record<string, unknown> = {}, app: Record<string, unknown> = {}) {
  const c = await readyCustomer(zhang, { ...(birth ? { idNumber: makeIdNumber(birth, '110101', String(seq++)) } : {}), ...customer });
  const res = await zhang.post('/api/v1/applications', applicationInput(c.id, app));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { customerId: c.id, id: res.body.id as number };
}
const submit = (id: number) => zhang.post(`/api/v1/applications/${id}/submit`, {});
const ruleOf = (risk: { results: { kind: string }[] }, kind: string) => risk.results.find((r) => r.kind === kind) as Record<string, unknown> | undefined;
const del = (c: Client, url: string) => c.agent.delete(url).set('X-Requested-With', 'XMLHttpRequest').send({});

describe('the rule set', () => {
  it('ships seven default rules; only risk staff and the admin see or edit them', async () => {
    const res = await admin.get('/api/v1/admin/risk/rules');
    expect(res.status).toBe(200);
    expect(res.body.map((r: { kind: string }) => r.kind)).toEqual(['id_number', 'age_range', 'mobile_format', 'dti', 'blacklist', 'multi_apply', 'required_documents', 'custom']);
    expect(res.body[1]).toMatchObject({ name: '年龄范围', enabled: true, level: 'reject', params: { minAge: 22, maxAge: 60 } });
    expect((await li.get('/api/v1/admin/risk/rules')).status).toBe(200);
    expectError(await zhang.get('/api/v1/admin/risk/rules'), 403, 'FORBIDDEN');
    expectError(await zhang.patch('/api/v1/admin/risk/rules/age_range', { enabled: false }), 403, 'FORBIDDEN');
  });

  it('bad parameters are 422 in Chinese and change nothing; an unknown rule is 422', async () => {
    const before = await rows(t, 'SELECT params, updated_at FROM risk_rules WHERE kind = ?', ['age_range']);
    expectValidation(await admin.patch('/api/v1/admin/risk/rules/age_range', { params: { minAge: 61 } }), 'params.maxAge');
    expectValidation(await admin.patch('/api/v1/admin/risk/rules/age_range', { level: 'block' }), 'level');
    expectValidation(await admin.patch('/api/v1/admin/risk/rules/nope', { enabled: false }), 'kind');
    expectValidation(await admin.patch('/api/v1/admin/risk/rules/age_range', {}));
    expect(await rows(t, 'SELECT params, updated_at FROM risk_rules WHERE kind = ?', ['age_range'])).toEqual(before);
    expect(await count(t, 'audit_logs', "entity_type = 'risk_rule'")).toBe(0);
  });
});

describe('submission', () => {
  it('a clean enough application is submitted with its result, shown in the API and on the approval card', async () => {
    const { id } = await draftFor(bornYearsAgo(22)); // 22 today: inside 22–60
    const res = await submit(id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('pending');
    const risk = res.body.risk;
    expect(risk).toMatchObject({ outcome: 'submitted', blocked: false, level: 'warn', levelName: '提示', businessDate: shanghaiDate(), override: null });
    expect(ruleOf(risk, 'age_range')).toMatchObject({ level: 'pass', reason: '年龄 22 岁,在 22–60 岁范围内' });
    expect(ruleOf(risk, 'id_number')).toMatchObject({ level: 'pass' });
    expect(ruleOf(risk, 'required_documents')).toMatchObject({ level: 'warn', reason: '房产类进件缺少资料:身份证、房产证' });
    // 30万 over 36 months at the default 12%: 9,964.29 元 against 20,000 元 income.
    expect(ruleOf(risk, 'dti')).toMatchObject({ level: 'pass', reason: '月供 9,964.29 元(年利率 12%),月收入 20,000.00 元,负债收入比 49.83%,未超过 50%' });
    expect(res.body.permissions.riskOverride).toBe(false);
    const [card] = await rows(t, "SELECT payload FROM bot_messages WHERE kind = 'approval_task' AND ref_id = ?", [String(id)]);
    const fields = JSON.parse(String(card.payload)).fields as { label: string; value: string }[];
    expect(fields).toContainEqual({ label: '风控预检', value: '提示:必备资料' });
    // The approver sees the same result on the detail page.
    const wu = await t.loginAs('吴婷');
    expect((await wu.get(`/api/v1/applications/${id}`)).body.risk.id).toBe(risk.id);
    expect(await count(t, 'audit_logs', "entity_type = 'application' AND action = 'submit' AND entity_id = ?", [String(id)])).toBe(1);
  });

  it('ages on the boundary: 60 today and 60 until tomorrow pass; 61 today is rejected', async () => {
    for (const [birth, level] of [[bornYearsAgo(60), 'pass'], [bornYearsAgo(61, 1), 'pass'], [bornYearsAgo(61), 'reject'], [bornYearsAgo(22, 1), 'reject']] as const) {
      const { id } = await draftFor(birth);
      const res = await submit(id);
      if (level === 'pass') {
        expect(res.status, `${birth}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(ruleOf(res.body.risk, 'age_range')!.level).toBe('pass');
      } else {
        expectError(res, 422, 'RISK_CHECK_REJECTED');
        expect(ruleOf(res.body.error.details.risk, 'age_range')!.level).toBe('reject');
      }
    }
  });

  it('a reject-level result blocks: 422 with the results, nothing moves, the attempt is kept for risk staff', async () => {
    const { id, customerId } = await draftFor(bornYearsAgo(67));
    const res = await submit(id);
    expectError(res, 422, 'RISK_CHECK_REJECTED');
    expect(res.body.error.message).toBe('风控预检未通过:年龄 67 岁,超出 22–60 岁范围');
    expect(res.body.error.details.risk.level).toBe('reject');
    expect((await applicationRow(t, id)).status).toBe('draft');
    expect((await customerRow(t, customerId)).stage).toBe('due_diligence');
    expect(await count(t, 'approval_tasks', 'application_id = ?', [id])).toBe(0);
    expect(await count(t, 'domain_events', "type = 'application.submitted' AND aggregate_id = ?", [String(id)])).toBe(0);
    expect(await rows(t, 'SELECT outcome, level, round FROM risk_checks WHERE application_id = ?', [id])).toEqual([{ outcome: 'blocked', level: 'reject', round: 1 }]);
    const detail = await zhang.get(`/api/v1/applications/${id}`);
    expect(detail.body.risk).toMatchObject({ blocked: true, level: 'reject', override: null });
    expect(detail.body.permissions.riskOverride).toBe(false); // 信贷员 cannot override
    const queue = await li.get('/api/v1/risk/blocked');
    expect(queue.status).toBe(200);
    const item = queue.body.find((q: { applicationId: number }) => q.applicationId === id);
    expect(item).toMatchObject({ customerName: '测试客户', applicantName: '张伟', check: { blocked: true, level: 'reject' } });
    expectError(await zhang.get('/api/v1/risk/blocked'), 403, 'FORBIDDEN');
  });

  it('create-and-submit in one call that is blocked leaves no application behind', async () => {
    const c = await readyCustomer(zhang, { idNumber: makeIdNumber(bornYearsAgo(70), '110101', String(seq++)) });
    const before = await count(t, 'applications');
    expectError(await zhang.post('/api/v1/applications', applicationInput(c.id, { submit: true })), 422, 'RISK_CHECK_REJECTED');
    expect(await count(t, 'applications')).toBe(before);
  });
});

describe('override (放行)', () => {
  let id: number;
  beforeAll(async () => {
    ({ id } = await draftFor(bornYearsAgo(63)));
    expectError(await submit(id), 422, 'RISK_CHECK_REJECTED');
  });

  it('an officer cannot override; risk without a reason is 422; nothing is stored', async () => {
    expectError(await zhang.post(`/api/v1/applications/${id}/risk-override`, { reason: '客户有担保' }), 403, 'FORBIDDEN');
    expectValidation(await li.post(`/api/v1/applications/${id}/risk-override`, {}), 'reason');
    expectValidation(await li.post(`/api/v1/applications/${id}/risk-override`, { reason: '   ' }), 'reason');
    expect(await count(t, 'risk_checks', 'application_id = ? AND overridden_at IS NOT NULL', [id])).toBe(0);
    expect(await count(t, 'audit_logs', "action = 'risk_override'")).toBe(0);
  });

  it('risk overrides with a reason (audited, applicant told); the resubmission goes through with the override on the result and the card', async () => {
    const res = await li.post(`/api/v1/applications/${id}/risk-override`, { reason: '有子女共同还款' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.override).toMatchObject({ userName: '李娜', reason: '有子女共同还款' });
    const [audit] = await rows(t, "SELECT actor_id, after_data FROM audit_logs WHERE action = 'risk_override' AND entity_id = ?", [String(id)]);
    expect(audit.actor_id).toBe(await t.userId('李娜'));
    expect(String(audit.after_data)).toContain('有子女共同还款');
    expect(await count(t, 'bot_messages', "kind = 'risk_override' AND ref_id = ?", [String(id)])).toBeGreaterThan(0);
    // A double tap is the same override, not a second one; someone else's is refused.
    const again = await li.post(`/api/v1/applications/${id}/risk-override`, { reason: '有子女共同还款' });
    expect(again.status).toBe(200);
    expect(again.body.override.at).toBe(res.body.override.at);
    expect(await count(t, 'audit_logs', "action = 'risk_override' AND entity_id = ?", [String(id)])).toBe(1);
    expectError(await chen.post(`/api/v1/applications/${id}/risk-override`, { reason: '再放一次' }), 409, 'RISK_ALREADY_OVERRIDDEN');

    const ok = await submit(id);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('pending');
    expect(ok.body.risk).toMatchObject({ outcome: 'submitted', level: 'reject', override: { userName: '李娜', reason: '有子女共同还款' } });
    const [card] = await rows(t, "SELECT payload FROM bot_messages WHERE kind = 'approval_task' AND ref_id = ?", [String(id)]);
    expect(JSON.parse(String(card.payload)).fields).toContainEqual({ label: '风控预检', value: '拒绝(李娜放行):年龄范围、必备资料' });
    // Nothing left to override once submitted.
    expectError(await chen.post(`/api/v1/applications/${id}/risk-override`, { reason: '再放一次' }), 409, 'RISK_NOTHING_TO_OVERRIDE');
  });

  it('an override covers only the rules it saw: a new reject-level hit blocks again', async () => {
    const d = await draftFor(bornYearsAgo(64));
    expectError(await submit(d.id), 422, 'RISK_CHECK_REJECTED');
    expect((await chen.post(`/api/v1/applications/${d.id}/risk-override`, { reason: '总监特批' })).status).toBe(200); // 总监 may override too
    // Blacklist the customer's ID number after the override.
    const [cust] = await rows(t, 'SELECT id_number_enc FROM customers WHERE id = ?', [d.customerId]);
    const idNumber = t.deps.crypto.decrypt(String(cust.id_number_enc));
    expect((await admin.post('/api/v1/admin/risk/blacklist', { kind: 'id_number', value: idNumber, reason: '伪造材料' })).status).toBe(201);
    const res = await submit(d.id);
    expectError(res, 422, 'RISK_CHECK_REJECTED');
    expect(res.body.error.message).toContain('身份证号在内部黑名单中');
  });

  it('an application nobody blocked has nothing to override', async () => {
    const d = await draftFor(bornYearsAgo(30));
    expectError(await li.post(`/api/v1/applications/${d.id}/risk-override`, { reason: 'x' }), 404, 'NOT_FOUND');
    expectError(await li.post('/api/v1/applications/999999/risk-override', { reason: 'x' }), 404, 'NOT_FOUND');
  });
});

describe('the blacklist', () => {
  it('keeps only a keyed hash and the last 4 digits; a hit blocks the submission; removal lifts it', async () => {
    const phone = newPhone();
    const add = await li.post('/api/v1/admin/risk/blacklist', { kind: 'phone', value: `+86 ${phone.slice(0, 3)} ${phone.slice(3)}`, reason: '骗贷团伙' });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    expect(add.body).toMatchObject({ kind: 'phone', kindName: '手机号', hint: `尾号 ${phone.slice(-4)}`, reason: '骗贷团伙', createdByName: '李娜' });
    const stored = JSON.stringify(await rows(t, 'SELECT * FROM risk_blacklist'));
    expect(stored).not.toContain(phone);
    expect(stored).toContain(t.deps.crypto.blindIndex('blacklist', `phone:${phone}`));
    expect(JSON.stringify(await rows(t, "SELECT * FROM audit_logs WHERE entity_type = 'risk_blacklist'"))).not.toContain(phone);
    expect(JSON.stringify((await li.get('/api/v1/admin/risk/blacklist')).body)).not.toContain(phone);

    expectError(await admin.post('/api/v1/admin/risk/blacklist', { kind: 'phone', value: phone, reason: '重复' }), 409, 'RISK_BLACKLIST_EXISTS');
    expectValidation(await admin.post('/api/v1/admin/risk/blacklist', { kind: 'phone', value: '12345', reason: '无效' }), 'value');
    expectValidation(await admin.post('/api/v1/admin/risk/blacklist', { kind: 'phone', value: phone }), 'reason');
    expectError(await zhang.post('/api/v1/admin/risk/blacklist', { kind: 'phone', value: newPhone(), reason: '越权' }), 403, 'FORBIDDEN');

    const d = await draftFor(bornYearsAgo(35), { phone });
    const blocked = await submit(d.id);
    expectError(blocked, 422, 'RISK_CHECK_REJECTED');
    expect(blocked.body.error.message).toBe('风控预检未通过:手机号在内部黑名单中');
    expect(JSON.stringify(blocked.body)).not.toContain(phone);

    expect((await del(li, `/api/v1/admin/risk/blacklist/${add.body.id}`)).status).toBe(204);
    expect(await count(t, 'audit_logs', "entity_type = 'risk_blacklist' AND action = 'delete'")).toBe(1);
    expect((await submit(d.id)).status).toBe(200);
  });
});

describe('多头申请 and the business date', () => {
  it('the 4th application of one customer within 30 days is flagged (default: more than 3 → 提示)', async () => {
    const c = await readyCustomer(zhang, { idNumber: makeIdNumber(bornYearsAgo(40), '110101', String(seq++)) });
    const levels: string[] = [];
    for (let i = 0; i < 4; i++) {
      const draft = await zhang.post('/api/v1/applications', applicationInput(c.id, { amountFen: 10_000_000 + i }));
      const res = await submit(draft.body.id);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const r = ruleOf(res.body.risk, 'multi_apply')!;
      levels.push(`${r.level}:${r.reason}`);
    }
    expect(levels).toEqual(['pass:近 30 天申请 1 次,未超过 3 次', 'pass:近 30 天申请 2 次,未超过 3 次', 'pass:近 30 天申请 3 次,未超过 3 次', 'warn:近 30 天申请 4 次,超过 3 次']);
  });

  it('ages count to the Shanghai date: at 16:30 UTC a customer born on tomorrow\'s date (Beijing) is already a year older', async () => {
    const risk = createRiskService(t.deps);
    const d = await draftFor('19651124');
    const app = await t.deps.db.models.Application.findByPk(d.id);
    const at = (iso: string) => t.deps.db.transaction(async (tx) => risk.evaluate(app!, tx, new Date(iso)));
    const before = await at('2026-11-23T15:59:59Z');
    expect(before.businessDate).toBe('2026-11-23');
    expect(ruleOf(before, 'age_range')).toMatchObject({ level: 'pass', reason: '年龄 60 岁,在 22–60 岁范围内' });
    const after = await at('2026-11-23T16:30:00Z');
    expect(after.businessDate).toBe('2026-11-24');
    expect(ruleOf(after, 'age_range')).toMatchObject({ level: 'reject', reason: '年龄 61 岁,超出 22–60 岁范围' });
  });
});

describe('editing rules', () => {
  it('an admin widens the age range and makes 负债收入比 reject at 0% interest: audited with before and after, and the next submission follows it', async () => {
    const res = await admin.patch('/api/v1/admin/risk/rules/age_range', { params: { maxAge: 70 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ params: { minAge: 22, maxAge: 70 }, updatedByName: '王敏' });
    const [a] = await rows(t, "SELECT before_data, after_data FROM audit_logs WHERE entity_type = 'risk_rule' AND entity_id = 'age_range'");
    expect(JSON.parse(String(a.before_data)).params).toEqual({ minAge: 22, maxAge: 60 });
    expect(JSON.parse(String(a.after_data)).params).toEqual({ minAge: 22, maxAge: 70 });
    const d = await draftFor(bornYearsAgo(67));
    const ok = await submit(d.id);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ruleOf(ok.body.risk, 'age_range')).toMatchObject({ level: 'pass', reason: '年龄 67 岁,在 22–70 岁范围内' });

    expect((await admin.patch('/api/v1/admin/risk/rules/dti', { level: 'reject', params: { defaultAnnualRateBp: 0 } })).status).toBe(200);
    // 1,200,000 fen over 12 months at 0%: 100,000 fen a month; exactly 50% of 200,000 passes, 199,999 is rejected.
    const at50 = await draftFor(bornYearsAgo(30), { monthlyIncomeFen: 200_000 }, { amountFen: 1_200_000, termMonths: 12 });
    expect((await submit(at50.id)).status).toBe(200);
    const over = await draftFor(bornYearsAgo(30), { monthlyIncomeFen: 199_999 }, { amountFen: 1_200_000, termMonths: 12 });
    const blocked = await submit(over.id);
    expectError(blocked, 422, 'RISK_CHECK_REJECTED');
    expect(blocked.body.error.message).toContain('负债收入比 50.01%,超过 50%');

    expect((await admin.patch('/api/v1/admin/risk/rules/dti', { enabled: false })).status).toBe(200);
    expect((await submit(over.id)).status).toBe(200);
  });

  it('a custom rule in the shared rule language blocks what it matches; bad conditions are 422 in Chinese', async () => {
    const rule = {
      name: '杭州大额', level: 'reject', reason: '杭州单笔超过 100 万需总部审批',
      when: { match: 'all', conditions: [{ field: 'application.amountFen', op: 'gt', value: 100_000_000 }, { field: 'customer.city', op: 'in', value: ['杭州'] }] },
    };
    const bad = await admin.patch('/api/v1/admin/risk/rules/custom', { params: { rules: [{ ...rule, when: { match: 'all', conditions: [{ field: 'application.amountFen', op: 'gt', value: '很多' }] } }] } });
    expectValidation(bad);
    expect(bad.body.error.details.fields[0].field).toMatch(/^params\.rules\.0\.when/);
    const saved = await admin.patch('/api/v1/admin/risk/rules/custom', { params: { rules: [rule] } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.params.rules).toHaveLength(1);
    const small = await draftFor(bornYearsAgo(30), {}, { amountFen: 100_000_000 });
    const ok = await submit(small.id);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.risk.results.find((r: { name: string }) => r.name === '杭州大额')).toMatchObject({ kind: 'custom', level: 'pass', reason: '未命中' });
    const large = await draftFor(bornYearsAgo(30), { monthlyIncomeFen: 100_000_000 }, { amountFen: 100_000_001 });
    const blocked = await submit(large.id);
    expectError(blocked, 422, 'RISK_CHECK_REJECTED');
    expect(blocked.body.error.message).toBe('风控预检未通过:杭州单笔超过 100 万需总部审批');
    expect((await li.post(`/api/v1/applications/${large.id}/risk-override`, { reason: '总部已电话确认' })).status).toBe(200);
    const passed = await submit(large.id);
    expect(passed.status, JSON.stringify(passed.body)).toBe(200);
    expect(passed.body.risk.summary).toContain('已由 李娜 放行');
    expect((await admin.patch('/api/v1/admin/risk/rules/custom', { params: { rules: [] } })).status).toBe(200);
  });

  it('required documents per collateral, counted from the uploads: missing ones block at reject level, uploading them lets it through', async () => {
    expect((await admin.patch('/api/v1/admin/risk/rules/required_documents', { level: 'reject' })).status).toBe(200);
    const d = await draftFor(bornYearsAgo(30), {}, { collateral: 'house' });
    const upload = (kind: string) =>
      zhang.agent.post(`/api/v1/applications/${d.id}/documents`).query({ name: `${kind}.jpg`, kind }).set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', 'image/jpeg').send(JPEG);
    expect((await upload('id_card')).status).toBe(201);
    const blocked = await submit(d.id);
    expectError(blocked, 422, 'RISK_CHECK_REJECTED');
    expect(blocked.body.error.message).toBe('风控预检未通过:房产类进件缺少资料:房产证');
    expect((await upload('property')).status).toBe(201);
    const ok = await submit(d.id);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ruleOf(ok.body.risk, 'required_documents')).toMatchObject({ level: 'pass', reason: '房产类进件必备资料齐全' });
  });
});
