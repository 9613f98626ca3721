// The pure rules of org sync: tree order and kinds, paths, linking messenger members to CRM
// accounts, supervisor resolution, and the call pacer's budgets and retries.
import { describe, expect, it } from 'vitest';
import { kindForDepth, matchUsers, orderDepartments, rebuildPaths, resolveSupervisor, type CrmUserForMatch } from '../../server/src/modules/orgsync/org-plan';
import { createCallPacer, type SyncClock } from '../../server/src/modules/orgsync/call-pacer';
import { MessengerError } from '../../server/src/modules/messenger/messenger-error';
import type { SnapshotUser } from '../../server/src/modules/orgsync/org-snapshot';

const member = (userid: string, name: string, extra: Partial<SnapshotUser> = {}): SnapshotUser => ({
  userid, name, title: null, departmentIds: ['1'], mainDepartmentId: '1', directLeaders: [], mobile: null, active: true, ...extra,
});
const account = (id: number, name: string, extra: Partial<CrmUserForMatch> = {}): CrmUserForMatch => ({ id, name, status: 'active', mobileHash: null, externalId: null, ...extra });
const hash = (m: string) => `h:${m.replace(/\D/g, '').slice(-11)}`;

describe('department tree', () => {
  it.each([[0, 'head_office'], [1, 'branch'], [2, 'team'], [5, 'team']] as const)('depth %i is a %s', (depth, kind) => {
    expect(kindForDepth(depth)).toBe(kind);
  });

  it('orders parents before children, breadth first, whatever the input order', () => {
    const { ordered, roots } = orderDepartments([
      { id: '9', name: 'c', parentId: '5', leaders: [] },
      { id: '5', name: 'b', parentId: '1', leaders: [] },
      { id: '1', name: 'root', parentId: null, leaders: [] },
      { id: '7', name: 'b2', parentId: '1', leaders: [] },
    ]);
    expect(roots).toEqual(['1']);
    expect(ordered.map((o) => [o.dept.id, o.depth])).toEqual([['1', 0], ['5', 1], ['7', 1], ['9', 2]]);
  });

  it('treats departments whose parent is outside the visible range as roots and drops cycles', () => {
    const { ordered, roots } = orderDepartments([
      { id: '3', name: 'a', parentId: '2', leaders: [] }, // 2 is not visible to the app
      { id: '4', name: 'b', parentId: '3', leaders: [] },
      { id: '8', name: 'x', parentId: '9', leaders: [] },
      { id: '9', name: 'y', parentId: '8', leaders: [] },
    ]);
    expect(roots).toEqual(['3']);
    expect(ordered.map((o) => o.dept.id)).toEqual(['3', '4']);
  });

  it('rebuilds paths from the parent chain and leaves a broken chain out', () => {
    const paths = rebuildPaths([
      { id: 4, parentId: 2 },
      { id: 1, parentId: null },
      { id: 2, parentId: 1 },
      { id: 7, parentId: 8 },
      { id: 8, parentId: 7 },
      { id: 9, parentId: 99 },
    ]);
    expect(Object.fromEntries(paths)).toEqual({ 1: '/1/', 2: '/1/2/', 4: '/1/2/4/' });
  });
});

describe('linking members to accounts', () => {
  it('by messenger userid first', () => {
    const { byUserid, linked } = matchUsers([member('zw', '张伟')], [account(1, '张伟'), account(2, '张伟改名', { externalId: 'zw' })], hash);
    expect(byUserid.get('zw')?.id).toBe(2);
    expect(linked.size).toBe(0);
  });

  it('then by a mobile only one unlinked active account has', () => {
    const { byUserid, linked } = matchUsers(
      [member('a', '王小明', { mobile: '+86 138 0000 0001' })],
      [account(1, '王明', { mobileHash: 'h:13800000001' }), account(2, '王小明')],
      hash,
    );
    expect(byUserid.get('a')?.id).toBe(1);
    expect([...linked]).toEqual(['a']);
  });

  it('then by a name unique on both sides; ambiguity links nobody', () => {
    const { byUserid } = matchUsers(
      [member('a', '李娜'), member('b', '张伟'), member('c', '张伟'), member('d', '刘洋')],
      [account(1, '李娜'), account(2, '张伟'), account(3, '刘洋'), account(4, '刘洋')],
      hash,
    );
    expect(byUserid.get('a')?.id).toBe(1);
    expect(byUserid.has('b')).toBe(false); // two 张伟 in the messenger
    expect(byUserid.has('c')).toBe(false);
    expect(byUserid.has('d')).toBe(false); // two 刘洋 in the CRM
  });

  it('never links to a disabled account or one already linked to someone else', () => {
    const { byUserid } = matchUsers(
      [member('a', '李娜'), member('b', '周强')],
      [account(1, '李娜', { status: 'disabled' }), account(2, '周强', { externalId: 'other' })],
      hash,
    );
    expect(byUserid.size).toBe(0);
  });
});

describe('supervisor', () => {
  const leaders = new Map([[1, 10], [2, 20], [3, 30]]);
  const parents = new Map([[1, null], [2, 1], [3, 2], [4, 3]]);
  const base = { leaderOf: (d: number) => leaders.get(d) ?? null, parentOf: (d: number) => parents.get(d) ?? null };

  it.each([
    ['an explicit supervisor wins', { selfId: 99, directLeaderIds: [77], departmentId: 3 }, 77],
    ['else the department leader', { selfId: 99, directLeaderIds: [], departmentId: 3 }, 30],
    ['a leader reports to the leader above', { selfId: 30, directLeaderIds: [], departmentId: 3 }, 20],
    ['a department without a leader defers upwards', { selfId: 99, directLeaderIds: [], departmentId: 4 }, 30],
    ['the top leader has nobody', { selfId: 10, directLeaderIds: [], departmentId: 1 }, null],
    ['nobody is their own supervisor', { selfId: 30, directLeaderIds: [30], departmentId: 3 }, 20],
  ] as const)('%s', (_label, input, expected) => {
    expect(resolveSupervisor({ ...base, ...input, directLeaderIds: [...input.directLeaderIds] })).toBe(expected);
  });
});

describe('call pacer', () => {
  const testClock = () => {
    const c = { ms: 0, slept: [] as number[] };
    const clock: SyncClock = { now: () => c.ms, sleep: async (ms) => void (c.slept.push(ms), (c.ms += ms)) };
    return { c, clock };
  };
  const opts = { windows: [{ limit: 3, ms: 60_000 }], rateLimitWaitMs: 60_000, maxRateLimitRetries: 2, transientDelaysMs: [100, 200] };

  it('never lets more than the budget through in any window', async () => {
    const { c, clock } = testClock();
    const pacer = createCallPacer(opts, clock);
    const at: number[] = [];
    for (let i = 0; i < 10; i++) await pacer.call('/x', async () => void at.push(c.ms));
    for (const t0 of at) expect(at.filter((t) => t > t0 - 60_000 && t <= t0).length).toBeLessThanOrEqual(3);
    expect(at.slice(0, 4)).toEqual([0, 0, 0, 60_000]);
    expect(pacer.calls).toBe(10);
  });

  it('keeps separate budgets per API', async () => {
    const { c, clock } = testClock();
    const pacer = createCallPacer(opts, clock);
    for (let i = 0; i < 3; i++) await pacer.call('/a', async () => 1);
    await pacer.call('/b', async () => 1);
    expect(c.ms).toBe(0);
  });

  it('waits after a rate-limit answer and backs off on a transient one, a bounded number of times', async () => {
    const { c, clock } = testClock();
    const pacer = createCallPacer({ ...opts, windows: [{ limit: 100, ms: 60_000 }] }, clock);
    const answers = [new MessengerError('wecom', '45009', 'rate_limited', 'freq'), new MessengerError('wecom', '-1', 'transient', 'busy')];
    expect(await pacer.call('/x', async () => { const e = answers.shift(); if (e) throw e; return 'ok'; })).toBe('ok');
    expect(c.slept).toEqual([60_000, 100]);
    let n = 0;
    await expect(pacer.call('/y', async () => { n++; throw new MessengerError('wecom', '45009', 'rate_limited', 'freq'); })).rejects.toMatchObject({ code: '45009' });
    expect(n).toBe(3); // the call and 2 retries
  });

  it('lets permanent errors through at once', async () => {
    const { c, clock } = testClock();
    const pacer = createCallPacer(opts, clock);
    let n = 0;
    await expect(pacer.call('/x', async () => { n++; throw new MessengerError('wecom', '60011', 'permanent', 'no privilege'); })).rejects.toMatchObject({ code: '60011' });
    expect(n).toBe(1);
    expect(c.ms).toBe(0);
  });
});
