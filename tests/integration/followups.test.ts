// Follow-up records (C4) and the officer's 工作台: due today, overdue, new leads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { createCustomer, customerRow, exec, expectValidation, maskPhone, rows, snapshotCounts } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client, liu: Client, lead: Client;
let zhangId: number;
const today = () => shanghaiDate();

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  liu = await t.loginAs('刘洋');
  lead = await t.loginAs('吴婷');
  zhangId = await t.userId('张伟');
});
afterAll(async () => t?.close());

const follow = (as: Client, id: number, body: Record<string, unknown> = {}) =>
  as.post(`/api/v1/customers/${id}/follow-ups`, { type: 'call', content: '电话沟通', ...body });

describe('recording a follow-up', () => {
  it('stores it and moves the customer\'s last and next follow-up', async () => {
    const x = await createCustomer(zhang, { name: '跟进客户' });
    const next = addDays(today(), 3);
    const before = await snapshotCounts(t);
    const res = await follow(zhang, x.id, { type: 'visit', content: '  上门面谈,核实经营场所  ', outcome: 'interested', nextFollowUpDate: next });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ customerId: x.id, type: 'visit', typeName: '面谈', content: '上门面谈,核实经营场所', outcome: 'interested', outcomeName: '有意向', nextFollowUpDate: next, userId: zhangId, userName: '张伟' });
    const [f] = await rows(t, 'SELECT * FROM follow_ups WHERE id = ?', [res.body.id]);
    expect([Number(f.customer_id), Number(f.user_id), f.type, f.outcome, f.next_follow_up_date]).toEqual([x.id, zhangId, 'visit', 'interested', next]);
    const row = await customerRow(t, x.id);
    expect(row.next_follow_up_date).toBe(next);
    expect(new Date(String(row.last_follow_up_at)).getTime()).toBe(new Date(String(f.created_at)).getTime());
    expect(await snapshotCounts(t)).toEqual({ ...before, follow_ups: before.follow_ups + 1, audit_logs: before.audit_logs + 1, domain_events: before.domain_events + 1 });
    const [audit] = await rows(t, "SELECT * FROM audit_logs WHERE entity_type = 'follow_up' AND entity_id = ?", [String(res.body.id)]);
    expect(audit.action).toBe('create');
    expect(JSON.parse(String(audit.after_data))).toEqual({ customerId: x.id, type: 'visit', outcome: 'interested', nextFollowUpDate: next });
    const [event] = await rows(t, "SELECT * FROM domain_events WHERE type = 'followup.recorded' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(event.payload))).toEqual({ customerId: x.id, followUpId: res.body.id, type: 'visit', outcome: 'interested' });
    // The detail shows the new plan.
    expect((await zhang.get(`/api/v1/customers/${x.id}`)).body.nextFollowUpDate).toBe(next);
  });

  it('today is a valid next date; none given clears the plan', async () => {
    const x = await createCustomer(zhang, { nextFollowUpDate: addDays(today(), 10) });
    expect((await customerRow(t, x.id)).next_follow_up_date).toBe(addDays(today(), 10));
    expect((await follow(zhang, x.id, { nextFollowUpDate: today() })).status).toBe(201);
    expect((await customerRow(t, x.id)).next_follow_up_date).toBe(today());
    expect((await follow(zhang, x.id, { type: 'note', content: '客户说再联系' })).status).toBe(201);
    expect((await customerRow(t, x.id)).next_follow_up_date).toBeNull();
  });

  it('a next date in the past is 422 and changes nothing', async () => {
    const x = await createCustomer(zhang, { nextFollowUpDate: addDays(today(), 2) });
    const before = await snapshotCounts(t);
    const rowBefore = await customerRow(t, x.id);
    const res = await follow(zhang, x.id, { nextFollowUpDate: addDays(today(), -1) });
    expectValidation(res, 'nextFollowUpDate');
    expect(res.body.error.details.fields[0].message).toBe('日期不能早于今天');
    expect(await snapshotCounts(t)).toEqual(before);
    expect(await customerRow(t, x.id)).toEqual(rowBefore);
  });

  it('a team lead records on a team member\'s customer under their own name', async () => {
    const x = await createCustomer(zhang);
    const res = await follow(lead, x.id, { type: 'wechat', content: '主管微信跟进' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userName: '吴婷', typeName: '微信' });
  });
});

describe('listing follow-ups', () => {
  it('newest first, paged with nextBefore, every record once', async () => {
    const x = await createCustomer(zhang);
    const made: number[] = [];
    for (let i = 0; i < 5; i++) made.push((await follow(zhang, x.id, { content: `第${i}次跟进` })).body.id);
    const first = await zhang.get(`/api/v1/customers/${x.id}/follow-ups`);
    expect(first.body.items.map((f: { content: string }) => f.content)).toEqual(['第4次跟进', '第3次跟进', '第2次跟进', '第1次跟进', '第0次跟进']);
    expect(first.body.nextBefore).toBeNull();
    const seen: number[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const page: { body: { items: { id: number }[]; nextBefore: number | null } } = await zhang.get(`/api/v1/customers/${x.id}/follow-ups?limit=2${before ? `&before=${before}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((f) => f.id));
      before = page.body.nextBefore;
      pages++;
    } while (before);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    // Another customer's follow-ups are not mixed in.
    const other = await createCustomer(zhang);
    expect((await zhang.get(`/api/v1/customers/${other.id}/follow-ups`)).body).toEqual({ items: [], nextBefore: null });
  });
});

describe('工作台', () => {
  it('shows the officer\'s overdue, due-today and new leads, and nobody else\'s', async () => {
    const wb0 = await (await t.loginAs('黄静')).get('/api/v1/workbench');
    expect(wb0.body).toEqual({ date: today(), overdue: { count: 0, items: [] }, dueToday: { count: 0, items: [] }, newLeads: { count: 0, items: [] } });

    const huang = await t.loginAs('黄静');
    const mk = (o: Record<string, unknown> = {}) => createCustomer(huang, o);
    const dueToday = await mk({ name: '今日' });
    await follow(huang, dueToday.id, { nextFollowUpDate: today() });
    const overdue2 = await mk({ name: '逾期两天' });
    const overdue5 = await mk({ name: '逾期五天' });
    for (const [x, d] of [[overdue2, -2], [overdue5, -5]] as const) {
      await follow(huang, x.id, { nextFollowUpDate: addDays(today(), 1) });
      await exec(t, 'UPDATE customers SET next_follow_up_date = ? WHERE id = ?', [addDays(today(), d), x.id]);
    }
    const fresh = await mk({ name: '新线索' });
    const later = await mk({ name: '以后' });
    await follow(huang, later.id, { nextFollowUpDate: addDays(today(), 5) });
    const closed = await mk({ name: '已无效' });
    await follow(huang, closed.id);
    await huang.post(`/api/v1/customers/${closed.id}/stage`, { to: 'lost' });
    await exec(t, 'UPDATE customers SET next_follow_up_date = ? WHERE id = ?', [addDays(today(), -1), closed.id]);
    const stale = await mk({ name: '旧线索' });
    await exec(t, 'UPDATE customers SET assigned_at = ? WHERE id = ?', [new Date(Date.now() - 8 * 86400_000), stale.id]);
    const moved = await mk({ name: '已推进' });
    await huang.post(`/api/v1/customers/${moved.id}/stage`, { to: 'intent' });
    // Someone else's overdue customer.
    const others = await createCustomer(liu, { name: '别人的' });
    await follow(liu, others.id, { nextFollowUpDate: addDays(today(), 1) });
    await exec(t, 'UPDATE customers SET next_follow_up_date = ? WHERE id = ?', [addDays(today(), -3), others.id]);

    const wb = await huang.get('/api/v1/workbench');
    expect(wb.status).toBe(200);
    const names = (k: 'overdue' | 'dueToday' | 'newLeads') => wb.body[k].items.map((x: { name: string }) => x.name);
    expect(wb.body.date).toBe(today());
    expect(names('overdue')).toEqual(['逾期五天', '逾期两天']);
    expect(wb.body.overdue.count).toBe(2);
    expect(names('dueToday')).toEqual(['今日']);
    expect(wb.body.dueToday.count).toBe(1);
    expect(names('newLeads')).toEqual(['新线索']);
    expect(wb.body.newLeads.count).toBe(1);
    expect(wb.body.dueToday.items[0].phone).toBe(maskPhone(dueToday.phone));
    expect(JSON.stringify(wb.body)).not.toContain(dueToday.phone);
    expect(fresh.id).toBeGreaterThan(0);

    const liuWb = await liu.get('/api/v1/workbench');
    expect(liuWb.body.overdue.items.map((x: { name: string }) => x.name)).toEqual(['别人的']);
    // A lead's workbench is their own book, not the team's.
    const leadWb = await lead.get('/api/v1/workbench');
    expect(leadWb.body.overdue.count + leadWb.body.dueToday.count).toBe(0);
  });
});
