// DingTalk contacts (通讯录) on the fake (reference D2), old API (`?access_token=`, POST JSON):
// topapi/v2/department/get (with dept_manager_userid_list), department/listsub and listsubid
// (direct children only), user/list (cursor + size, has_more/next_cursor; `leader` is relative
// to the department asked for), user/get (manager_userid, leader_in_dept), user/listid.
// Checked like the real server: unknown department 60003, unknown user 60121, `size` outside
// 1..100 or a missing cursor 40035, and a per-API rate — past `perSecondLimit` accepted calls
// within one second of the test clock the call answers 90018 (throttled; code [unconfirmed]).
// For tests: `failOnCall`, `hold` and `seedOrg`, as in the WeCom contacts fake.
import type { FakeRequest, FakeResponse } from '../fake-http';
import { ok, type DingDept, type DingUser, type FakeDingtalk } from './fake-dingtalk';

export const DING_CONTACT_PATHS = {
  departmentGet: '/topapi/v2/department/get',
  listsub: '/topapi/v2/department/listsub',
  listsubid: '/topapi/v2/department/listsubid',
  userList: '/topapi/v2/user/list',
  userGet: '/topapi/v2/user/get',
  userListid: '/topapi/user/listid',
} as const;

export interface DingtalkContacts {
  perSecondLimit: number;
  readonly throttled: Map<string, number>;
  failOnCall(path: string, n: number, errcode: number): void;
  hold(path: string): () => void;
  /** Highest number of accepted calls of `path` within any 1 s of the test clock. */
  maxPerSecond(path: string): number;
}

const WINDOW_MS = 1_000;
const err = (errcode: number, errmsg: string) => ok({ errcode, errmsg, request_id: `req${Math.random().toString(36).slice(2, 10)}` });

export function installDingtalkContacts(fake: FakeDingtalk, opts: { perSecondLimit?: number } = {}): DingtalkContacts {
  const accepted = new Map<string, number[]>();
  const throttled = new Map<string, number>();
  const failures = new Map<string, { at: number; errcode: number }[]>();
  const seen = new Map<string, number>();
  const holds = new Map<string, Promise<void>>();

  const contacts: DingtalkContacts = {
    perSecondLimit: opts.perSecondLimit ?? 20,
    throttled,
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
    maxPerSecond(path) {
      const at = accepted.get(path) ?? [];
      let max = 0;
      for (let i = 0, j = 0; i < at.length; i++) {
        while (at[j] <= at[i] - WINDOW_MS) j++;
        max = Math.max(max, i - j + 1);
      }
      return max;
    },
  };

  const api = (path: string, handler: (req: FakeRequest) => FakeResponse) =>
    fake.onOapi('POST', path, async (req) => {
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const times = accepted.get(path) ?? [];
      if (times.filter((t) => t > fake.clock.ms - WINDOW_MS).length >= contacts.perSecondLimit) {
        throttled.set(path, (throttled.get(path) ?? 0) + 1);
        return err(90018, '当前请求过于频繁,请稍后再试');
      }
      const failure = failures.get(path)?.find((f) => f.at === n);
      if (failure) return err(failure.errcode, `scripted ${failure.errcode}`);
      const held = holds.get(path);
      if (held) await held;
      const res = handler(req);
      if ((res.json as { errcode?: number } | undefined)?.errcode === 0) {
        times.push(fake.clock.ms);
        accepted.set(path, times);
      }
      return res;
    });

  const success = (result: unknown) => ok({ errcode: 0, errmsg: 'ok', result, request_id: `req${Math.random().toString(36).slice(2, 10)}` });
  const deptOf = (req: FakeRequest): DingDept | null => {
    const id = req.body?.dept_id;
    return typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)) ? (fake.departments.get(Number(id)) ?? null) : null;
  };
  const noDept = () => err(60003, '部门不存在');
  const children = (id: number) => [...fake.departments.values()].filter((d) => d.parent_id === id && d.dept_id !== id);
  const isLeader = (u: DingUser, deptId: number) => !!u.leader_in_dept?.some((l) => l.dept_id === deptId && l.leader);
  const membersOf = (deptId: number) => [...fake.users.values()].filter((u) => u.dept_id_list.includes(deptId));
  /** user/list item (ZYX DeptUser): `leader` is about the department asked for. */
  const listItem = (u: DingUser, deptId: number) => ({
    userid: u.userid,
    unionid: u.unionid,
    name: u.name,
    avatar: '',
    state_code: '86',
    manager_userid: u.manager_userid,
    mobile: u.mobile ?? '',
    hide_mobile: false,
    telephone: '',
    job_number: '',
    title: u.title ?? '',
    work_place: '',
    remark: '',
    dept_id_list: u.dept_id_list,
    dept_order: 0,
    extension: '',
    hired_date: 0,
    active: u.active !== false,
    admin: false,
    boss: false,
    exclusive_account: false,
    leader: isLeader(u, deptId),
  });

  api(DING_CONTACT_PATHS.departmentGet, (req) => {
    const d = deptOf(req);
    if (!d) return noDept();
    const managers = membersOf(d.dept_id).filter((u) => isLeader(u, d.dept_id)).map((u) => u.userid);
    return success({ dept_id: d.dept_id, name: d.name, parent_id: d.parent_id || undefined, order: 0, create_dept_group: false, auto_add_user: false, dept_manager_userid_list: managers, outer_dept: false });
  });
  api(DING_CONTACT_PATHS.listsub, (req) => {
    const d = deptOf(req);
    if (!d) return noDept();
    return success(children(d.dept_id).map((c) => ({ dept_id: c.dept_id, name: c.name, parent_id: c.parent_id, create_dept_group: false, auto_add_user: false })));
  });
  api(DING_CONTACT_PATHS.listsubid, (req) => {
    const d = deptOf(req);
    if (!d) return noDept();
    return success({ dept_id_list: children(d.dept_id).map((c) => c.dept_id) });
  });
  api(DING_CONTACT_PATHS.userList, (req) => {
    const d = deptOf(req);
    if (!d) return noDept();
    const { cursor, size } = req.body ?? {};
    if (!Number.isInteger(size) || size < 1 || size > 100) return err(40035, '不合法的参数:size 取值范围 1~100');
    if (!Number.isInteger(cursor) || cursor < 0) return err(40035, '不合法的参数:cursor');
    const all = membersOf(d.dept_id);
    const page = all.slice(cursor, cursor + size);
    const hasMore = cursor + size < all.length;
    return success({ has_more: hasMore, ...(hasMore ? { next_cursor: cursor + size } : {}), list: page.map((u) => listItem(u, d.dept_id)) });
  });
  api(DING_CONTACT_PATHS.userGet, (req) => {
    const u = fake.users.get(String(req.body?.userid ?? ''));
    if (!u) return err(60121, '找不到该用户');
    return success({
      userid: u.userid,
      unionid: u.unionid,
      name: u.name,
      avatar: '',
      manager_userid: u.manager_userid,
      mobile: u.mobile ?? '',
      title: u.title ?? '',
      job_number: '',
      email: '',
      dept_id_list: u.dept_id_list,
      dept_order_list: u.dept_id_list.map((dept_id) => ({ dept_id, order: 0 })),
      leader_in_dept: u.dept_id_list.map((dept_id) => ({ dept_id, leader: isLeader(u, dept_id) })),
      active: u.active !== false,
      admin: false,
      boss: false,
    });
  });
  api(DING_CONTACT_PATHS.userListid, (req) => {
    const d = deptOf(req);
    if (!d) return noDept();
    return success({ userid_list: membersOf(d.dept_id).map((u) => u.userid) });
  });
  return contacts;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭陆范汪廖石金';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '建华', '文', '华', '红', '建国', '志强', '海燕', '晓东'];
const CITIES = ['杭州', '苏州', '宁波', '绍兴', '无锡', '上海', '嘉兴', '湖州', '南京', '合肥', '温州', '常州'];

/**
 * A generated org under dept 1: branches with teams, a leader per department (leader_in_dept),
 * every officer's manager_userid set to their team leader except every 10th (left to the
 * department leader rule), realistic names and unique mobiles.
 */
export function seedOrg(fake: FakeDingtalk, o: { staff: number; branches: number; teamsPerBranch: number; prefix?: string }) {
  const prefix = o.prefix ?? 'd';
  let nextDept = Math.max(1, ...fake.departments.keys()) + 1;
  let seq = 0;
  const userids: string[] = [];
  const add = (u: Omit<DingUser, 'userid' | 'name' | 'mobile'>) => {
    const i = seq++;
    const userid = `${prefix}${String(i).padStart(5, '0')}`;
    const k = i * 7919;
    fake.addUser({ userid, name: `${SURNAMES[k % SURNAMES.length]}${GIVEN[Math.floor(k / SURNAMES.length) % GIVEN.length]}`, mobile: `1390${String(i).padStart(7, '0')}`, ...u });
    userids.push(userid);
    return userid;
  };
  const teamIds: number[] = [];
  const leaderOf = new Map<number, string>();
  for (let b = 0; b < o.branches; b++) {
    const branchId = nextDept++;
    fake.departments.set(branchId, { dept_id: branchId, name: `${CITIES[b % CITIES.length]}${b >= CITIES.length ? b : ''}分公司`, parent_id: 1 });
    leaderOf.set(branchId, add({ dept_id_list: [branchId], title: '分公司经理', leader_in_dept: [{ dept_id: branchId, leader: true }] }));
    for (let k = 0; k < o.teamsPerBranch; k++) {
      const teamId = nextDept++;
      fake.departments.set(teamId, { dept_id: teamId, name: `${CITIES[b % CITIES.length]}${'一二三四五六七八九十'[k % 10]}部${k >= 10 ? k : ''}`, parent_id: branchId });
      teamIds.push(teamId);
      leaderOf.set(teamId, add({ dept_id_list: [teamId], title: '团队主管', manager_userid: leaderOf.get(branchId), leader_in_dept: [{ dept_id: teamId, leader: true }] }));
    }
  }
  const officers = Math.max(0, o.staff - seq);
  for (let i = 0; i < officers; i++) {
    const teamId = teamIds[i % teamIds.length];
    add({ dept_id_list: [teamId], title: '信贷经理', ...(i % 10 === 9 ? {} : { manager_userid: leaderOf.get(teamId) }) });
  }
  return { teamIds, userids };
}
