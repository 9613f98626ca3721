// Staff on leave (C7): an admin sets anyone's leave, a team lead only their own team's (another
// team's person reads as not found, an officer is forbidden); bad input is 422 and changes nothing;
// every change is audited; staff lists show it; auto-assignment skips people on leave — round-robin,
// least-loaded and a named person's rule — on the Asia/Shanghai dates of the range, inclusive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newPhone, type Client, type TestApp } from '../helpers/test-app';
import { count, exec, expectError, expectValidation, intake, rows } from '../helpers/fixtures';

let t: TestApp;
let admin: Client;
let wuTing: Client; // team lead of 杭州一部
let zhang: Client; // officer in 杭州一部
// Monday 2026-11-23 10:00 Shanghai; the assignment tests move it across Shanghai midnights.
let clock = Date.parse('2026-11-23T02:00:00Z');
const xhr = { 'X-Requested-With': 'XMLHttpRequest' };

const put = (c: Client, userId: number, body: unknown) => c.agent.put(`/api/v1/staff/${userId}/leave`).set(xhr).send(body as object);
const dept = async (name: string) => Number((await rows(t, 'SELECT id FROM departments WHERE name = ?', [name]))[0].id);
const leaveOf = async (userId: number) => (await rows(t, 'SELECT on_leave, leave_from, leave_until, leave_note FROM users WHERE id = ?', [userId]))[0];
const lead = (city: string) => ({ name: '渠道客户', phone: newPhone(), city, loanAmountFen: 30000000 });
async function send(city: string, n: number): Promise<(string | null)[]> {
  const res = await intake(t, JSON.stringify({ leads: Array.from({ length: n }, () => lead(city)) }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const ids = (res.body.results as { customerId: number }[]).map((r) => r.customerId);
  const names: (string | null)[] = [];
  for (const id of ids) {
    const [r] = await rows(t, 'SELECT u.name FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = ?', [id]);
    names.push((r?.name as string | null) ?? null);
  }
  return names;
}
const rule = async (o: Record<string, unknown>) => {
  const res = await admin.post('/api/v1/admin/assignment-rules', { name: '规则', targetType: 'team', ...o });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
};
const cityIs = (city: string) => ({ match: 'all', conditions: [{ field: 'customer.city', op: 'eq', value: city }] });

beforeAll(async () => {
  t = await createTestApp({ build: { bot: { now: () => clock } } });
  admin = await t.loginAs('王敏');
  wuTing = await t.loginAs('吴婷');
  zhang = await t.loginAs('张伟');
});
afterAll(async () => t?.close());

describe('setting leave', () => {
  it('officers may not; a team lead sees and sets only their own team; an admin anyone', async () => {
    expectError(await zhang.get('/api/v1/staff/leave'), 403, 'FORBIDDEN');
    expectError(await put(zhang, await t.userId('张伟'), { onLeave: true }), 403, 'FORBIDDEN');

    const team = (await wuTing.get('/api/v1/staff/leave')).body as { name: string; departmentName: string }[];
    expect(team.map((u) => u.name).sort()).toEqual(['刘洋', '吴婷', '张伟', '黄静'].sort());
    expect(new Set(team.map((u) => u.departmentName))).toEqual(new Set(['杭州一部']));

    const heDan = await t.userId('何丹'); // 杭州二部
    expectError(await put(wuTing, heDan, { onLeave: true }), 404, 'NOT_FOUND');
    expect(await leaveOf(heDan)).toMatchObject({ leave_from: null, leave_until: null });
    expect(Number((await leaveOf(heDan)).on_leave)).toBe(0);

    const zw = await t.userId('张伟');
    const res = await put(wuTing, zw, { onLeave: true, leaveFrom: '2026-11-24', leaveUntil: '2026-11-25', note: '年假' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ onLeave: true, leaveFrom: '2026-11-24', leaveUntil: '2026-11-25', leaveNote: '年假', onLeaveToday: false, leaveLabel: '将休假 11-24–11-25' });
    const [a] = await rows(t, "SELECT actor_id, before_data, after_data FROM audit_logs WHERE action = 'leave' AND entity_type = 'user' AND entity_id = ?", [String(zw)]);
    expect(Number(a.actor_id)).toBe(await t.userId('吴婷'));
    expect(JSON.parse(String(a.after_data))).toMatchObject({ onLeave: true, leaveFrom: '2026-11-24', leaveUntil: '2026-11-25', leaveNote: '年假' });

    // The admin's staff list (hand-over page) and the assign picker show it.
    const staff = (await admin.get('/api/v1/users')).body as { id: number; leaveLabel: string | null }[];
    expect(staff.find((u) => u.id === zw)!.leaveLabel).toBe('将休假 11-24–11-25');
    const assignable = (await wuTing.get('/api/v1/users/assignable')).body as { id: number; onLeave: boolean }[];
    expect(assignable.find((u) => u.id === zw)!.onLeave).toBe(true);

    // Clearing drops the dates and the note.
    expect((await put(admin, zw, { onLeave: false })).status).toBe(200);
    expect(await leaveOf(zw)).toMatchObject({ leave_from: null, leave_until: null, leave_note: null });
    expect(await count(t, 'audit_logs', "action = 'leave' AND entity_id = ?", [String(zw)])).toBe(2);
  });

  it('refuses bad input with a field and a Chinese message, and changes nothing', async () => {
    const zw = await t.userId('张伟');
    const before = await leaveOf(zw);
    const audits = await count(t, 'audit_logs', "action = 'leave'");
    for (const [body, field] of [
      [{ onLeave: true, leaveFrom: '2026-11-26', leaveUntil: '2026-11-25' }, 'leaveUntil'],
      [{ onLeave: true, leaveFrom: '2026-02-30' }, 'leaveFrom'],
      [{ onLeave: true, leaveUntil: '26-11-30' }, 'leaveUntil'],
      [{ onLeave: true, note: '假'.repeat(51) }, 'note'],
      [{ leaveFrom: '2026-11-24' }, 'onLeave'],
    ] as const) {
      expectValidation(await put(admin, zw, body), field);
    }
    expectError(await put(admin, 999999, { onLeave: true }), 404, 'NOT_FOUND');
    expect(await leaveOf(zw)).toEqual(before);
    expect(await count(t, 'audit_logs', "action = 'leave'")).toBe(audits);
  });
});

describe('auto-assignment skips people on leave', () => {
  it('round-robin: the range is inclusive, in Shanghai dates (00:00 Shanghai = 16:00 UTC the day before)', async () => {
    await exec(t, 'DELETE FROM assignment_rules');
    await rule({ name: '嘉兴给二部', targetDepartmentId: await dept('杭州二部'), conditions: cityIs('嘉兴') }); // 郑浩 (lead), 何丹, 林峰
    expect((await put(admin, await t.userId('何丹'), { onLeave: true, leaveFrom: '2026-11-24', leaveUntil: '2026-11-25' })).status).toBe(200);

    clock = Date.parse('2026-11-23T15:59:59.999Z'); // Mon 23:59:59.999 Shanghai: not yet
    expect(await send('嘉兴', 3)).toEqual(['郑浩', '何丹', '林峰']);
    clock = Date.parse('2026-11-23T16:00:00.000Z'); // Tue 00:00 Shanghai: first day of leave
    expect(await send('嘉兴', 3)).toEqual(['郑浩', '林峰', '郑浩']);
    clock = Date.parse('2026-11-25T15:59:59.999Z'); // Wed 23:59:59.999 Shanghai: last day of leave
    expect(await send('嘉兴', 2)).toEqual(['林峰', '郑浩']);
    clock = Date.parse('2026-11-25T16:00:00.000Z'); // Thu 00:00 Shanghai: back
    expect(await send('嘉兴', 3)).toEqual(['何丹', '林峰', '郑浩']);
    const heDanTold = await count(t, 'bot_messages', "kind = 'lead_assigned' AND recipient_user_id = ?", [await t.userId('何丹')]);
    expect(heDanTold).toBe(2);
  });

  it('least-loaded: a person on leave with no end date gets nothing however light their book', async () => {
    clock = Date.parse('2026-11-26T02:00:00Z');
    await exec(t, 'DELETE FROM assignment_rules');
    await rule({ name: '苏州最少', targetDepartmentId: await dept('苏州一部'), strategy: 'least_loaded', conditions: cityIs('苏州') }); // 罗琳 (lead), 梁宇, 宋佳, 唐磊
    expect((await put(admin, await t.userId('梁宇'), { onLeave: true, note: '产假' })).status).toBe(200);
    expect(await send('苏州', 4)).toEqual(['罗琳', '宋佳', '唐磊', '罗琳']);
    expect((await put(admin, await t.userId('梁宇'), { onLeave: false })).status).toBe(200);
    expect(await send('苏州', 1)).toEqual(['梁宇']); // back, with the lightest book
  });

  it("a named person's rule passes over them while on leave: the next rule (or the pool) takes the lead", async () => {
    await exec(t, 'DELETE FROM assignment_rules');
    const liu = await t.userId('刘洋');
    await rule({ name: '宁波给刘洋', targetType: 'user', targetUserId: liu, conditions: cityIs('宁波') });
    expect((await put(wuTing, liu, { onLeave: true, leaveUntil: '2026-11-26' })).status).toBe(200);
    expect(await send('宁波', 1)).toEqual([null]);
    await rule({ name: '宁波兜底给二部', targetDepartmentId: await dept('杭州二部'), conditions: cityIs('宁波') });
    expect(await send('宁波', 1)).toEqual(['何丹']); // round-robin continues after 郑浩
    expect(await count(t, 'bot_messages', "kind = 'lead_assigned' AND recipient_user_id = ?", [liu])).toBe(0);
    clock = Date.parse('2026-11-26T16:00:00Z'); // Fri 00:00 Shanghai: the leave has ended
    expect(await send('宁波', 1)).toEqual(['刘洋']);
  });
});
