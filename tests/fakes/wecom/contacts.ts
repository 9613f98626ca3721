// WeCom contacts (通讯录) on the fake (reference W8), with the shapes of the real answers:
// department/list (recursive from `id`, with department_leader), department/simplelist,
// user/list and user/simplelist per department (fetch_child), user/get, user/list_id (cursor
// pages, limit 1..10000). Checked like the real server: unknown department 60123, unknown userid
// 60111, bad limit 40058, and the per-API frequency limit of W7 — past `perMinuteLimit` accepted
// calls to one API within 60 s of the test clock the call answers 45009 instead.
// For tests: `failOnCall` (the n-th call of an API answers an errcode, to break a sync half-way),
// `hold` (calls wait until released, to keep a sync running), and `seedOrg` (a generated org).
import type { FakeRequest, FakeResponse } from '../fake-http';
import { ok, type FakeWecom, type WecomDept, type WecomUser } from './fake-wecom';

export const CONTACT_PATHS = {
  departmentList: '/cgi-bin/department/list',
  departmentSimplelist: '/cgi-bin/department/simplelist',
  userList: '/cgi-bin/user/list',
  userSimplelist: '/cgi-bin/user/simplelist',
  userGet: '/cgi-bin/user/get',
  userListId: '/cgi-bin/user/list_id',
} as const;

export interface WecomContacts {
  /** Accepted calls per API per minute before 45009 (W7: 10,000). */
  perMinuteLimit: number;
  /** 45009 answers given so far, per API. */
  readonly rateLimited: Map<string, number>;
  /** The `n`-th call of `path` from now (1 = the next) answers `errcode`. */
  failOnCall(path: string, n: number, errcode: number): void;
  /** Calls of `path` wait until the returned function is called. */
  hold(path: string): () => void;
  /** Highest number of accepted calls of `path` within any 60 s of the test clock. */
  maxPerMinute(path: string): number;
}

const WINDOW_MS = 60_000;

export function installWecomContacts(fake: FakeWecom, opts: { perMinuteLimit?: number } = {}): WecomContacts {
  const accepted = new Map<string, number[]>();
  const rateLimited = new Map<string, number>();
  const failures = new Map<string, { at: number; errcode: number }[]>();
  const seen = new Map<string, number>();
  const holds = new Map<string, Promise<void>>();

  const contacts: WecomContacts = {
    perMinuteLimit: opts.perMinuteLimit ?? 10_000,
    rateLimited,
    failOnCall(path, n, errcode) {
      const list = failures.get(path) ?? [];
      list.push({ at: (seen.get(path) ?? 0) + n, errcode });
      failures.set(path, list);
    },
    hold(path) {
      let release!: () => void;
      holds.set(path, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(path);
        release();
      };
    },
    maxPerMinute(path) {
      const at = accepted.get(path) ?? [];
      let max = 0;
      for (let i = 0, j = 0; i < at.length; i++) {
        while (at[j] <= at[i] - WINDOW_MS) j++;
        max = Math.max(max, i - j + 1);
      }
      return max;
    },
  };

  /** A contacts API: frequency limit, scripted failure, hold, then the handler. */
  const api = (method: string, path: string, handler: (req: FakeRequest) => FakeResponse) =>
    fake.onApi(method, path, async (req) => {
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const times = accepted.get(path) ?? [];
      const inWindow = times.filter((t) => t > fake.clock.ms - WINDOW_MS).length;
      if (inWindow >= contacts.perMinuteLimit) {
        rateLimited.set(path, (rateLimited.get(path) ?? 0) + 1);
        return ok({ errcode: 45009, errmsg: 'api freq out of limit' });
      }
      const failure = failures.get(path)?.find((f) => f.at === n);
      if (failure) return ok({ errcode: failure.errcode, errmsg: `scripted ${failure.errcode}` });
      const held = holds.get(path);
      if (held) await held;
      const res = handler(req);
      if ((res.json as { errcode?: number } | undefined)?.errcode === 0) {
        times.push(fake.clock.ms);
        accepted.set(path, times);
      }
      return res;
    });

  const subtree = (rootId: number): WecomDept[] => {
    const out: WecomDept[] = [];
    const queue = [rootId];
    while (queue.length) {
      const id = queue.shift()!;
      const d = fake.departments.get(id);
      if (!d) continue;
      out.push(d);
      for (const c of fake.departments.values()) if (c.parentid === id && c.id !== id) queue.push(c.id);
    }
    return out;
  };
  const deptParam = (req: FakeRequest): number | null => {
    const id = Number(req.query.department_id);
    return Number.isInteger(id) && fake.departments.has(id) ? id : null;
  };
  const invalidParty = () => ok({ errcode: 60123, errmsg: 'invalid party id' });
  const membersOf = (deptId: number, fetchChild: boolean) => {
    const ids = new Set(fetchChild ? subtree(deptId).map((d) => d.id) : [deptId]);
    return [...fake.users.values()].filter((u) => u.department.some((d) => ids.has(d)));
  };
  /** user/get shape (WEN, GWX): leader flags and order aligned with department[]. */
  const detail = (u: WecomUser) => ({
    userid: u.userid,
    name: u.name,
    department: u.department,
    order: u.department.map(() => 0),
    position: u.position ?? '',
    mobile: u.mobile ?? '',
    gender: u.gender ?? '0',
    email: u.email ?? '',
    is_leader_in_dept: u.department.map((d, i) => u.is_leader_in_dept?.[i] ?? (fake.departments.get(d)?.department_leader?.includes(u.userid) ? 1 : 0)),
    direct_leader: u.direct_leader ?? [],
    avatar: '',
    thumb_avatar: '',
    telephone: '',
    alias: '',
    status: u.status ?? 1,
    main_department: u.main_department ?? u.department[0],
  });

  api('GET', CONTACT_PATHS.departmentList, (req) => {
    const list = req.query.id !== undefined && req.query.id !== '' ? (fake.departments.has(Number(req.query.id)) ? subtree(Number(req.query.id)) : null) : [...fake.departments.values()];
    if (!list) return invalidParty();
    return ok({
      errcode: 0,
      errmsg: 'ok',
      department: list.map((d) => ({ id: d.id, name: d.name, name_en: '', department_leader: d.department_leader ?? [], parentid: d.parentid, order: d.order ?? 0 })),
    });
  });
  api('GET', CONTACT_PATHS.departmentSimplelist, (req) => {
    const list = req.query.id ? (fake.departments.has(Number(req.query.id)) ? subtree(Number(req.query.id)) : null) : [...fake.departments.values()];
    if (!list) return invalidParty();
    return ok({ errcode: 0, errmsg: 'ok', department_id: list.map((d) => ({ id: d.id, parentid: d.parentid, order: d.order ?? 0 })) });
  });
  api('GET', CONTACT_PATHS.userList, (req) => {
    const id = deptParam(req);
    if (id === null) return invalidParty();
    return ok({ errcode: 0, errmsg: 'ok', userlist: membersOf(id, req.query.fetch_child === '1').map(detail) });
  });
  api('GET', CONTACT_PATHS.userSimplelist, (req) => {
    const id = deptParam(req);
    if (id === null) return invalidParty();
    return ok({ errcode: 0, errmsg: 'ok', userlist: membersOf(id, req.query.fetch_child === '1').map((u) => ({ userid: u.userid, name: u.name, department: u.department })) });
  });
  api('GET', CONTACT_PATHS.userGet, (req) => {
    const u = fake.users.get(req.query.userid ?? '');
    return u ? ok({ errcode: 0, errmsg: 'ok', ...detail(u) }) : ok({ errcode: 60111, errmsg: 'userid not found' });
  });
  api('POST', CONTACT_PATHS.userListId, (req) => {
    const limit = req.body?.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return ok({ errcode: 40058, errmsg: 'limit should be in [1, 10000]' });
    // One row per membership, in a stable order; the cursor is opaque to the client.
    const rows = [...fake.users.values()].flatMap((u) => u.department.map((department) => ({ userid: u.userid, department })));
    const cursor = req.body?.cursor ? Number(Buffer.from(String(req.body.cursor), 'base64url').toString()) : 0;
    if (!Number.isInteger(cursor) || cursor < 0) return ok({ errcode: 40058, errmsg: 'invalid cursor' });
    const page = rows.slice(cursor, cursor + limit);
    const next = cursor + limit < rows.length ? Buffer.from(String(cursor + limit)).toString('base64url') : '';
    return ok({ errcode: 0, errmsg: 'ok', next_cursor: next, dept_user: page });
  });

  return contacts;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭陆范汪廖石金';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '建华', '文', '华', '红', '建国', '志强', '海燕', '晓东'];
const CITIES = ['杭州', '苏州', '宁波', '绍兴', '无锡', '上海', '嘉兴', '湖州', '南京', '合肥', '温州', '常州'];

export interface SeedOrgOptions {
  staff: number;
  branches: number;
  teamsPerBranch: number;
  /** Userid prefix, so two generated orgs never collide. */
  prefix?: string;
}

/**
 * A generated org under the root department 1: branches (分公司) with teams (部), a leader per
 * department (department_leader and is_leader_in_dept), every 10th officer with an explicit
 * direct_leader (the branch leader), every 50th also a member of a second team, realistic names
 * (repeats happen, as in life) and unique mobiles. Returns the generated ids.
 */
export function seedOrg(fake: FakeWecom, o: SeedOrgOptions): { branchIds: number[]; teamIds: number[]; userids: string[] } {
  const prefix = o.prefix ?? 'u';
  let nextDept = Math.max(1, ...fake.departments.keys()) + 1;
  let seq = 0;
  const userids: string[] = [];
  const name = (i: number) => `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]}`;
  const add = (u: Omit<WecomUser, 'userid' | 'name' | 'mobile'>) => {
    const i = seq++;
    const userid = `${prefix}${String(i).padStart(5, '0')}`;
    fake.addUser({ userid, name: name(i * 7919), mobile: `1380${String(i).padStart(7, '0')}`, ...u });
    userids.push(userid);
    return userid;
  };
  const branchIds: number[] = [];
  const teamIds: number[] = [];
  const teamLeaders: string[] = [];
  const branchLeaderOfTeam = new Map<number, string>();
  for (let b = 0; b < o.branches; b++) {
    const branchId = nextDept++;
    fake.departments.set(branchId, { id: branchId, name: `${CITIES[b % CITIES.length]}${b >= CITIES.length ? b : ''}分公司`, parentid: 1, order: b });
    const branchLeader = add({ department: [branchId], position: '分公司经理', is_leader_in_dept: [1] });
    fake.departments.get(branchId)!.department_leader = [branchLeader];
    branchIds.push(branchId);
    for (let k = 0; k < o.teamsPerBranch; k++) {
      const teamId = nextDept++;
      fake.departments.set(teamId, { id: teamId, name: `${CITIES[b % CITIES.length]}${'一二三四五六七八九十'[k % 10]}部${k >= 10 ? k : ''}`, parentid: branchId, order: k });
      teamIds.push(teamId);
      branchLeaderOfTeam.set(teamId, branchLeader);
    }
  }
  for (const teamId of teamIds) {
    const lead = add({ department: [teamId], position: '团队主管', is_leader_in_dept: [1] });
    fake.departments.get(teamId)!.department_leader = [lead];
    teamLeaders.push(lead);
  }
  const officers = Math.max(0, o.staff - seq);
  for (let i = 0; i < officers; i++) {
    const teamId = teamIds[i % teamIds.length];
    const second = i % 50 === 49 ? teamIds[(i + 1) % teamIds.length] : null;
    add({
      department: second && second !== teamId ? [teamId, second] : [teamId],
      main_department: teamId,
      position: '信贷经理',
      ...(i % 10 === 9 ? { direct_leader: [branchLeaderOfTeam.get(teamId)!] } : {}),
    });
  }
  return { branchIds, teamIds, userids };
}
