// Org sync from DingTalk (C25) against the fake DingTalk contacts API: the tree by listsub from
// dept 1, members in pages of at most 100, supervisors from manager_userid else the department
// leader (leader_in_dept), a no-op second sync, moves/leavers/renames, a failure half-way that
// changes nothing, throttling waited out, 5,000 staff within the QPS limit. With both messengers
// configured the default provider is WeCom.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { TEST_DB, type Client } from '../helpers/test-app';
import { count, createCustomer, expectError, rows } from '../helpers/fixtures';
import type { DingUser, FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk';
import { DING_CONTACT_PATHS, installDingtalkContacts, seedOrg, type DingtalkContacts } from '../fakes/dingtalk/contacts';
import { installWecomContacts } from '../fakes/wecom/contacts';
import { createOrgSyncService } from '../../server/src/modules/orgsync/orgsync.service';
import type { PacerOptions } from '../../server/src/modules/orgsync/call-pacer';

let t: MessengerTestApp;
let fake: FakeDingtalk;
let contacts: DingtalkContacts;
let admin: Client;
const uid: Record<string, number> = {};
const dept: Record<string, number> = {};
const SYNC = '/api/v1/admin/org-sync';
const BIG_TEAM = 230;

const leads = (...ids: number[]) => ids.map((dept_id) => ({ dept_id, leader: true }));
const user = (u: DingUser) => fake.addUser(u);

function seedFakeOrg() {
  const d = (dept_id: number, name: string, parent_id: number) => fake.departments.set(dept_id, { dept_id, name, parent_id });
  d(2, '杭州分公司', 1);
  d(3, '杭州一部', 2);
  d(4, '苏州分公司', 1);
  d(5, '苏州一部', 4);
  user({ userid: 'wangmin', name: '王敏', dept_id_list: [1], title: '系统管理员', mobile: '13900000001' });
  user({ userid: 'chengang', name: '陈刚', dept_id_list: [1], title: '业务总监', leader_in_dept: leads(1) });
  user({ userid: 'zhouqiang', name: '周强', dept_id_list: [2], title: '分公司经理', manager_userid: 'chengang', leader_in_dept: leads(2) });
  user({ userid: 'machao', name: '马超', dept_id_list: [4], title: '分公司经理', leader_in_dept: leads(4) });
  user({ userid: 'wuting', name: '吴婷', dept_id_list: [3], title: '团队主管', manager_userid: 'zhouqiang', leader_in_dept: leads(3) });
  user({ userid: 'luolin', name: '罗琳', dept_id_list: [5], title: '团队主管', leader_in_dept: leads(5) });
  user({ userid: 'zhangwei', name: '张伟', dept_id_list: [3], title: '信贷经理', manager_userid: 'wuting' });
  user({ userid: 'liuyang', name: '刘洋', dept_id_list: [3], title: '信贷经理' });
  user({ userid: 'liangyu', name: '梁宇', dept_id_list: [5], title: '信贷经理', manager_userid: 'luolin' });
  for (let i = 0; i < BIG_TEAM; i++) user({ userid: `hz1-${i}`, name: `杭一员工${i}`, dept_id_list: [3], title: '电销专员' });
  user({ userid: 'notyet', name: '未激活', dept_id_list: [3], active: false });
}

const userRow = async (name: string) => (await rows(t, 'SELECT * FROM users WHERE name = ? ORDER BY id', [name]))[0];
const deptRow = async (id: string) => (await rows(t, 'SELECT * FROM departments WHERE dingtalk_dept_id = ?', [id]))[0];
async function orgState() {
  return {
    departments: await rows(t, 'SELECT * FROM departments ORDER BY id'),
    users: await rows(t, 'SELECT * FROM users ORDER BY id'),
    customers: await rows(t, 'SELECT id, owner_id, department_id, updated_at FROM customers ORDER BY id'),
    audit: await count(t, 'audit_logs'),
    ownerChanges: await count(t, 'customer_owner_changes'),
  };
}
async function sync(body: object = { provider: 'dingtalk' }) {
  // The fake limits calls per second of its test clock; a new sync starts in a new second.
  t.clock.advance(1_000);
  const res = await admin.post(SYNC, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
const clockedService = (app: MessengerTestApp, pacing?: Partial<PacerOptions>) =>
  createOrgSyncService(app.deps, { clock: { now: app.clock.now, sleep: async (ms) => app.clock.advance(ms) }, pacing: { dingtalk: pacing } });

beforeAll(async () => {
  t = await createMessengerTestApp({ wecom: true, dingtalk: true });
  fake = t.dingtalk!;
  contacts = installDingtalkContacts(fake);
  installWecomContacts(t.wecom!);
  seedFakeOrg();
  for (const n of ['王敏', '陈刚', '周强', '马超', '吴婷', '罗琳', '张伟', '刘洋', '梁宇']) uid[n] = await t.userId(n);
  for (const r of await rows(t, 'SELECT name, id FROM departments')) dept[String(r.name)] = Number(r.id);
  admin = await t.loginAs('王敏');
});
afterAll(async () => t?.close());

describe('provider choice', () => {
  it('with both messengers configured, WeCom is the default; a WeCom failure names its cause and alerts the admins', async () => {
    const runs = await admin.get(`${SYNC}/runs`);
    expect(runs.body).toMatchObject({ providers: ['wecom', 'dingtalk'], defaultProvider: 'wecom', items: [] });
    t.wecom!.ipNotTrusted = true; // the server's IP is not among WeCom's 企业可信IP
    const run = await sync({});
    t.wecom!.ipNotTrusted = false;
    expect(run).toMatchObject({ provider: 'wecom', status: 'failed', trigger: 'manual' });
    expect(run.error).toMatch(/60020.*企业可信IP/);
    const [alert] = await rows(t, "SELECT * FROM admin_alerts WHERE kind = 'org_sync_failed'");
    expect(alert.dedupe_key).toBe('org-sync:wecom');
    expect(await count(t, 'users', 'dingtalk_userid IS NOT NULL OR wecom_userid IS NOT NULL')).toBe(0);
  });
});

describe('first sync from DingTalk', () => {
  let run: any;
  beforeAll(async () => {
    run = await sync();
  });

  it('links the existing org, creates the rest and skips members who never activated', () => {
    expect(run).toMatchObject({ provider: 'dingtalk', providerName: '钉钉', status: 'succeeded' });
    expect(run.stats.departments).toEqual({ created: 0, updated: 5, missing: 0 });
    expect(run.stats.users).toEqual({ created: BIG_TEAM, updated: 9, disabled: 0, reactivated: 0, moved: 0, linked: 9, skipped: 1 });
  });

  it('walks the tree from dept 1 and pages members by at most 100', async () => {
    const listCalls = fake.calls.filter((c) => c.path === DING_CONTACT_PATHS.userList);
    for (const c of listCalls) expect(c.body.size).toBeLessThanOrEqual(100);
    const team = listCalls.filter((c) => c.body.dept_id === 3).map((c) => c.body.cursor);
    expect(team).toEqual([0, 100, 200]); // 3 + 230 + 1 members of 杭州一部 in three pages
    expect(fake.calls.filter((c) => c.path === DING_CONTACT_PATHS.listsub).map((c) => c.body.dept_id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(run.stats.apiCalls).toBe(1 + 5 + 7); // department/get, listsub per department, member pages
    expect(await deptRow('1')).toMatchObject({ id: dept['总部'], name: '测试金融', kind: 'head_office', leader_id: uid['陈刚'], wecom_dept_id: null });
    expect(await deptRow('5')).toMatchObject({ id: dept['苏州一部'], kind: 'team', parent_id: dept['苏州分公司'], leader_id: uid['罗琳'] });
  });

  it('sets supervisors from manager_userid, else the department leader', async () => {
    const sup = async (name: string) => (await userRow(name)).supervisor_id;
    expect(await sup('张伟')).toBe(uid['吴婷']);
    expect(await sup('刘洋')).toBe(uid['吴婷']); // no manager_userid: the leader of 杭州一部
    expect(await sup('吴婷')).toBe(uid['周强']);
    expect(await sup('马超')).toBe(uid['陈刚']); // leads 苏州分公司: the leader one level up
    expect(await sup('罗琳')).toBe(uid['马超']);
    expect(await sup('梁宇')).toBe(uid['罗琳']);
    expect(await sup('杭一员工7')).toBe(uid['吴婷']);
    expect(await userRow('杭一员工7')).toMatchObject({ role: 'officer', department_id: dept['杭州一部'], title: '电销专员', dingtalk_userid: 'hz1-7' });
    expect(await userRow('张伟')).toMatchObject({ id: uid['张伟'], dingtalk_userid: 'zhangwei', wecom_userid: null, role: 'officer' });
    expect((await userRow('王敏')).mobile_hash).toBe(t.deps.crypto.blindIndex('phone', '13900000001'));
  });

  it('a second sync changes nothing', async () => {
    const before = await orgState();
    const second = await sync();
    expect(second.stats.users).toEqual({ created: 0, updated: 0, disabled: 0, reactivated: 0, moved: 0, linked: 0, skipped: 1 });
    expect(second.stats.departments).toEqual({ created: 0, updated: 0, missing: 0 });
    const strip = (s: typeof before) => ({ ...s, users: s.users.map(({ synced_at: _s, ...u }) => u) });
    expect(strip(await orgState())).toEqual(strip(before));
  });

  describe('changes', () => {
    let liuBook: number[];
    let liangBook: number[];
    let run3: any;
    beforeAll(async () => {
      const liu = await t.loginAs('刘洋');
      const liang = await t.loginAs('梁宇');
      liuBook = [(await createCustomer(liu)).id, (await createCustomer(liu)).id];
      liangBook = [(await createCustomer(liang)).id];
      fake.users.get('zhangwei')!.manager_userid = 'zhouqiang';
      fake.users.get('liuyang')!.dept_id_list = [5];
      fake.users.delete('liangyu');
      fake.departments.get(5)!.name = '苏州精英部';
      run3 = await sync();
    });

    it('reports them', () => {
      expect(run3.status).toBe('succeeded');
      expect(run3.stats.departments).toEqual({ created: 0, updated: 1, missing: 0 });
      expect(run3.stats.users).toMatchObject({ created: 0, updated: 2, disabled: 1, moved: 1 });
      expect(run3.stats.customersMoved).toBe(2);
      expect(run3.stats.offeredForTransfer).toEqual([{ userId: uid['梁宇'], name: '梁宇', customers: 1 }]);
    });

    it('a new manager_userid changes the supervisor; a move takes the customers along', async () => {
      expect(await userRow('张伟')).toMatchObject({ supervisor_id: uid['周强'], department_id: dept['杭州一部'] });
      expect(await userRow('刘洋')).toMatchObject({ department_id: dept['苏州一部'], supervisor_id: uid['罗琳'] });
      for (const c of await rows(t, `SELECT * FROM customers WHERE id IN (${liuBook.join(',')})`)) {
        expect(c).toMatchObject({ owner_id: uid['刘洋'], department_id: dept['苏州一部'] });
      }
      expect(await count(t, 'customer_owner_changes', "kind = 'org_move'")).toBe(2);
      expect(await deptRow('5')).toMatchObject({ name: '苏州精英部' });
    });

    it('the leaver is disabled and keeps the book until an admin hands it over', async () => {
      expect(await userRow('梁宇')).toMatchObject({ status: 'disabled', disabled_by: 'org_sync' });
      const [c] = await rows(t, 'SELECT owner_id, department_id FROM customers WHERE id = ?', [liangBook[0]]);
      expect(c).toMatchObject({ owner_id: uid['梁宇'], department_id: dept['苏州一部'] });
    });
  });
});

describe('failures and limits', () => {
  it('a sync that fails half-way changes nothing', async () => {
    fake.departments.set(6, { dept_id: 6, name: '宁波分公司', parent_id: 1 });
    user({ userid: 'newbie', name: '新来的', dept_id_list: [6] });
    fake.users.delete('hz1-3');
    const before = await orgState();
    contacts.failOnCall(DING_CONTACT_PATHS.userList, 4, 60011);
    const run = await sync();
    expect(run).toMatchObject({ provider: 'dingtalk', status: 'failed' });
    expect(run.error).toMatch(/钉钉接口 \/topapi\/v2\/user\/list 返回错误 60011/);
    expect(await orgState()).toEqual(before);
    const again = await sync();
    expect(again.stats).toMatchObject({ departments: { created: 1 }, users: { created: 1, disabled: 1 } });
  });

  it('user/list refuses a page size over 100 (the fake is strict)', async () => {
    const token = await t.deps.messengers.dingtalk!.accessToken();
    const res = await fetch(`${fake.url}${DING_CONTACT_PATHS.userList}?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dept_id: 3, cursor: 0, size: 101 }),
    });
    expect((await res.json()).errcode).toBe(40035);
  });

  it('throttling is waited out, and pacing avoids it', async () => {
    contacts.perSecondLimit = 3;
    try {
      t.clock.advance(1_000);
      const run = await clockedService(t, { windows: [{ limit: 100, ms: 1_000 }] }).run({ provider: 'dingtalk', trigger: 'manual', rc: null });
      expect(run.status, run.error ?? '').toBe('succeeded');
      expect(contacts.throttled.get(DING_CONTACT_PATHS.userList) ?? 0).toBeGreaterThan(0);
      contacts.throttled.clear();
      t.clock.advance(1_000);
      const paced = await clockedService(t, { windows: [{ limit: 3, ms: 1_000 }] }).run({ provider: 'dingtalk', trigger: 'manual', rc: null });
      expect(paced.status, paced.error ?? '').toBe('succeeded');
      expect(contacts.throttled.size).toBe(0);
    } finally {
      contacts.perSecondLimit = 20;
    }
  });

  it('only admins', async () => {
    const wu = await t.loginAs('吴婷');
    expectError(await wu.post(SYNC, { provider: 'dingtalk' }), 403, 'FORBIDDEN');
  });
});

describe(`5,000 staff from DingTalk (${TEST_DB})`, () => {
  let big: MessengerTestApp;
  let bigContacts: DingtalkContacts;
  beforeAll(async () => {
    big = await createMessengerTestApp({ dingtalk: true, seed: false });
    bigContacts = installDingtalkContacts(big.dingtalk!);
    seedOrg(big.dingtalk!, { staff: 5000, branches: 5, teamsPerBranch: 4 });
  });
  afterAll(async () => big?.close());

  it('pages every team, stays under the QPS limit and needs no retry', async () => {
    const started = Date.now();
    const run = await clockedService(big).run({ trigger: 'nightly', rc: null });
    const ms = Date.now() - started;
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.stats!.users).toMatchObject({ created: 5000, disabled: 0, skipped: 0 });
    expect(run.stats!.departments.created).toBe(26);
    const calls = big.dingtalk!.calls.filter((c) => c.path.startsWith('/topapi/'));
    expect(run.stats!.apiCalls).toBe(calls.length);
    for (const c of calls.filter((x) => x.path === DING_CONTACT_PATHS.userList)) expect(c.body.size).toBeLessThanOrEqual(100);
    for (const p of Object.values(DING_CONTACT_PATHS)) expect(bigContacts.maxPerSecond(p)).toBeLessThanOrEqual(20);
    expect(bigContacts.throttled.size).toBe(0);
    const [[nulls]] = (await big.deps.db.sequelize.query('SELECT COUNT(*) AS n FROM users WHERE supervisor_id IS NULL')) as [Array<{ n: number }>, unknown];
    expect(Number(nulls.n)).toBe(5); // the branch leaders: the root has no leader
    console.info(`org sync 5,000 staff from DingTalk on ${TEST_DB}: ${ms} ms, ${calls.length} API calls`);
  }, 120_000);
});
