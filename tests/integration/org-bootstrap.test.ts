// A fresh install connected to WeCom: no staff yet, so start-up syncs the org once and the people
// named in ORG_SYNC_ADMINS become admins (and stay admins on later syncs); nothing happens when
// staff already exist or no messenger is configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessengerTestApp, type MessengerTestApp } from '../helpers/messenger-app';
import { createTestApp } from '../helpers/test-app';
import { installWecomContacts } from '../fakes/wecom/contacts';
import { syncEmptyOrg } from '../../server/src/modules/orgsync/bootstrap';
import { createOrgSyncService } from '../../server/src/modules/orgsync/orgsync.service';

let t: MessengerTestApp;

beforeAll(async () => {
  t = await createMessengerTestApp({ wecom: true, seed: false, env: { ORG_SYNC_ADMINS: 'wangmin, lina' } });
  const fake = t.wecom!;
  installWecomContacts(fake);
  fake.departments.set(2, { id: 2, name: '杭州分公司', parentid: 1, order: 2, department_leader: ['zhouqiang'] });
  fake.addUser({ userid: 'wangmin', name: '王敏', department: [1], position: 'IT' });
  fake.addUser({ userid: 'zhouqiang', name: '周强', department: [2], position: '分公司经理' });
  fake.addUser({ userid: 'zhangwei', name: '张伟', department: [2], position: '信贷经理' });
});
afterAll(() => t?.close());

const users = () => t.deps.db.models.User.findAll({ raw: true, order: [['id', 'ASC']] });

describe('first start on an empty org', () => {
  it('syncs once and makes the listed people admins, everyone else the default role', async () => {
    expect(await users()).toHaveLength(0);
    expect(await syncEmptyOrg(t.deps)).toBe('synced');
    const all = await users();
    expect(all.map((u) => [u.name, u.role, u.wecomUserid])).toEqual([
      ['王敏', 'admin', 'wangmin'],
      ['周强', 'officer', 'zhouqiang'],
      ['张伟', 'officer', 'zhangwei'],
    ]);
    const runs = await t.deps.db.models.OrgSyncRun.findAll({ raw: true });
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([['startup', 'succeeded']]);
  });

  it('does nothing once staff exist', async () => {
    expect(await syncEmptyOrg(t.deps)).toBe('skipped');
    expect(await t.deps.db.models.OrgSyncRun.count()).toBe(1);
  });

  it('a listed person who appears later is made admin by the next sync, and stays admin', async () => {
    t.wecom!.addUser({ userid: 'lina', name: '李娜', department: [1], position: '风控' });
    await createOrgSyncService(t.deps).run({ trigger: 'manual', rc: null });
    const lina = (await users()).find((u) => u.wecomUserid === 'lina')!;
    expect(lina.role).toBe('admin');
    // A listed existing user demoted in the CRM is promoted again by the next sync.
    await t.deps.db.models.User.update({ role: 'officer' }, { where: { id: lina.id } });
    await createOrgSyncService(t.deps).run({ trigger: 'manual', rc: null });
    expect((await t.deps.db.models.User.findByPk(lina.id, { raw: true }))!.role).toBe('admin');
  });
});

describe('without a messenger', () => {
  it('skips', async () => {
    const plain = await createTestApp({ seed: false });
    try {
      expect(await syncEmptyOrg(plain.deps)).toBe('skipped');
    } finally {
      await plain.close();
    }
  });
});
