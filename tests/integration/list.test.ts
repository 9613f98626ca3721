// The customer list: filters, sorts and keyset pagination. Paging through either sort returns
// every row exactly once, including across the two phases of the next-follow-up sort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { createTestApp, customerInput, type Client, type TestApp } from '../helpers/test-app';
import { createCustomer, exec, expectValidation, ids, rows, type CreatedCustomer } from '../helpers/fixtures';

let t: TestApp;
let zhang: Client, liu: Client;
let mine: { id: number; stage: string; channel: string; next: string | null; name: string }[] = [];
const today = shanghaiDate();

beforeAll(async () => {
  t = await createTestApp();
  zhang = await t.loginAs('张伟');
  liu = await t.loginAs('刘洋');
  // 张伟's book: dated customers (ties on purpose, some overdue) and undated ones, mixed stages and channels.
  const plan: [number | null, string, string][] = [
    [1, 'lead', 'douyin'], [1, 'intent', 'baidu'], [1, 'lead', 'street'], [2, 'due_diligence', 'douyin'], [2, 'lead', 'baidu'],
    [5, 'intent', 'douyin'], [-3, 'lead', 'street'], [-3, 'lost', 'douyin'], [0, 'signed', 'baidu'],
    [null, 'lead', 'douyin'], [null, 'intent', 'street'], [null, 'lead', 'baidu'], [null, 'repaying', 'douyin'], [null, 'lead', 'douyin'],
  ];
  const made: CreatedCustomer[] = [];
  for (let i = 0; i < plan.length; i++) {
    const [offset, , channel] = plan[i];
    made.push(await createCustomer(zhang, { name: `列表${String(i).padStart(2, '0')}`, channel, nextFollowUpDate: offset !== null && offset >= 0 ? addDays(today, offset) : undefined }));
  }
  // Shuffle creation order against dates: interleave a second officer's customers, which must never show.
  for (let i = 0; i < 3; i++) await createCustomer(liu, { name: `别人${i}`, nextFollowUpDate: addDays(today, 1) });
  for (let i = 0; i < plan.length; i++) {
    const [offset, stage] = plan[i];
    await exec(t, 'UPDATE customers SET stage = ?, next_follow_up_date = ? WHERE id = ?', [stage, offset === null ? null : addDays(today, offset), made[i].id]);
  }
  mine = plan.map(([offset, stage, channel], i) => ({ id: made[i].id, stage, channel, next: offset === null ? null : addDays(today, offset), name: made[i].name }));
});
afterAll(async () => t?.close());

const byRecent = () => [...mine].sort((a, b) => b.id - a.id).map((c) => c.id);
const byNext = (rows_ = mine) => [
  ...rows_.filter((c) => c.next).sort((a, b) => (a.next! < b.next! ? -1 : a.next! > b.next! ? 1 : a.id - b.id)),
  ...rows_.filter((c) => !c.next).sort((a, b) => a.id - b.id),
].map((c) => c.id);

async function pageAll(as: Client, query: string, limit: number) {
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; body: { items: { id: number }[]; nextCursor: string | null } } = await as.get(`/api/v1/customers?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.items.map((x) => x.id));
    cursor = res.body.nextCursor;
    if (cursor) expect(res.body.items).toHaveLength(limit);
    expect(++pages).toBeLessThan(100);
  } while (cursor);
  return seen;
}

describe('filters', () => {
  it('by one stage and by several', async () => {
    expect(ids(await zhang.get('/api/v1/customers?stage=lead&limit=100')).sort()).toEqual(mine.filter((c) => c.stage === 'lead').map((c) => c.id).sort());
    expect(ids(await zhang.get('/api/v1/customers?stage=intent,lost&limit=100')).sort()).toEqual(mine.filter((c) => ['intent', 'lost'].includes(c.stage)).map((c) => c.id).sort());
    expect(ids(await zhang.get('/api/v1/customers?stage=settled'))).toEqual([]);
  });

  it('by channel', async () => {
    const res = await zhang.get('/api/v1/customers?channel=baidu&limit=100');
    expect(ids(res).sort()).toEqual(mine.filter((c) => c.channel === 'baidu').map((c) => c.id).sort());
    expect(res.body.items.every((x: { channel: string; channelName: string }) => x.channel === 'baidu' && x.channelName === '百度推广')).toBe(true);
  });

  it('by next-follow-up range, inclusive at both ends', async () => {
    const from = addDays(today, 0);
    const to = addDays(today, 2);
    const res = await zhang.get(`/api/v1/customers?nextFollowUpFrom=${from}&nextFollowUpTo=${to}&limit=100`);
    expect(ids(res).sort()).toEqual(mine.filter((c) => c.next && c.next >= from && c.next <= to).map((c) => c.id).sort());
    expect(ids(res)).toHaveLength(6);
    const overdue = await zhang.get(`/api/v1/customers?nextFollowUpTo=${addDays(today, -1)}&limit=100`);
    expect(ids(overdue).sort()).toEqual(mine.filter((c) => c.next && c.next < today).map((c) => c.id).sort());
  });

  it('filters combine, and search by name narrows further', async () => {
    const res = await zhang.get(`/api/v1/customers?stage=lead&channel=douyin&nextFollowUpFrom=${today}&limit=100`);
    expect(ids(res)).toEqual(mine.filter((c) => c.stage === 'lead' && c.channel === 'douyin' && c.next && c.next >= today).map((c) => c.id));
    expect(ids(await zhang.get('/api/v1/customers?q=列表0&limit=100'))).toHaveLength(10);
    expect(ids(await zhang.get('/api/v1/customers?q=列表13'))).toEqual([mine[13].id]);
    // Search wildcards are literal.
    expect(ids(await zhang.get(`/api/v1/customers?q=${encodeURIComponent('列表_3')}`))).toEqual([]);
    expect(ids(await zhang.get(`/api/v1/customers?q=${encodeURIComponent('%')}`))).toEqual([]);
  });
});

describe('sorts', () => {
  it('recent: newest first', async () => {
    expect(ids(await zhang.get('/api/v1/customers?limit=100'))).toEqual(byRecent());
  });

  it('nextFollowUp: dated by date then id, then the undated by id', async () => {
    const res = await zhang.get('/api/v1/customers?sort=nextFollowUp&limit=100');
    expect(ids(res)).toEqual(byNext());
    expect(res.body.nextCursor).toBeNull();
    const dates = res.body.items.map((x: { nextFollowUpDate: string | null }) => x.nextFollowUpDate);
    expect(dates.slice(0, 9)).toEqual([...dates.slice(0, 9)].sort());
    expect(dates.slice(9)).toEqual([null, null, null, null, null]);
  });
});

describe('keyset pagination', () => {
  it('recent: every page size returns every row once, in order', async () => {
    for (const limit of [1, 2, 3, 5, 14, 20]) expect(await pageAll(zhang, 'sort=recent', limit), `limit ${limit}`).toEqual(byRecent());
  });

  it('nextFollowUp: every page size returns every row once across both phases', async () => {
    // 9 dated + 5 undated: these sizes put the phase boundary at, before and after a page end.
    for (const limit of [1, 2, 3, 4, 5, 7, 8, 9, 10, 13, 14, 15]) {
      expect(await pageAll(zhang, 'sort=nextFollowUp', limit), `limit ${limit}`).toEqual(byNext());
    }
  });

  it('nextFollowUp with a stage filter pages within the filter', async () => {
    const leads = mine.filter((c) => c.stage === 'lead');
    for (const limit of [1, 2, 4]) expect(await pageAll(zhang, 'sort=nextFollowUp&stage=lead', limit)).toEqual(byNext(leads));
  });

  it('rows added while paging do not repeat earlier ones', async () => {
    const first = await zhang.get('/api/v1/customers?limit=5');
    await createCustomer(zhang, { name: '翻页中新增' });
    const second = await zhang.get(`/api/v1/customers?limit=5&cursor=${first.body.nextCursor}`);
    expect(ids(second)).toEqual(byRecent().slice(5, 10));
    const [row] = await rows(t, "SELECT id FROM customers WHERE name = '翻页中新增'");
    await exec(t, 'DELETE FROM customers WHERE id = ?', [row.id]);
  });

  it('an invalid or foreign cursor is 422', async () => {
    const recent = (await zhang.get('/api/v1/customers?limit=2')).body.nextCursor;
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const [sort, cursor] of [
      ['recent', 'not-a-cursor'],
      ['recent', enc({ s: 'r', id: 'x' })],
      ['recent', enc({ s: 'r', id: 1.5 })],
      ['nextFollowUp', recent],
      ['nextFollowUp', enc({ s: 'n', phase: 1, id: 3 })],
      ['nextFollowUp', enc({ s: 'n', phase: 1, d: { gt: 1 }, id: 3 })],
      ['nextFollowUp', enc({ s: 'n', phase: 1, d: '2026-13-45', id: 3 })],
      ['nextFollowUp', enc({ s: 'n', phase: 7, id: 3 })],
      ['recent', enc([1, 2])],
    ] as const) {
      const res = await zhang.get(`/api/v1/customers?sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      expectValidation(res, 'cursor');
      expect(res.body.error.details.fields[0].message).toBe('分页参数无效,请刷新列表');
    }
  });
});

describe('list item timestamps', () => {
  it('are ISO-8601 on every database, like the detail view', async () => {
    const zhang = await t.loginAs('张伟');
    const created = await zhang.post('/api/v1/customers', customerInput());
    await zhang.post(`/api/v1/customers/${created.body.id}/follow-ups`, { type: 'call', content: '电话沟通' });
    const list = await zhang.get('/api/v1/customers?limit=100');
    const item = list.body.items.find((c: { id: number }) => c.id === created.body.id);
    const detail = await zhang.get(`/api/v1/customers/${created.body.id}`);
    // A list row carries only what a list cell shows; its one timestamp must match the detail's.
    expect(Object.keys(item)).not.toContain('customFields');
    for (const k of ['lastFollowUpAt']) {
      expect(item[k], k).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(item[k], k).toBe(detail.body[k]);
    }
  });
});
