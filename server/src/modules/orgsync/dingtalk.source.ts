// Fetches the whole org chart from DingTalk (reference D2): the root department (`department/get`
// of dept 1, which also names its managers), the tree below it by `department/listsub`
// breadth-first, and the members of each department by `user/list` in pages of at most 100
// (cursor / has_more / next_cursor). Supervisors: `manager_userid`; department leaders: members
// listed with `leader: true` in that department (or `leader_in_dept` where returned).
import type { DingtalkClient, OapiResponse } from '../messenger/dingtalk/dingtalk.client';
import type { CallPacer, PacerOptions } from './call-pacer';
import type { OrgSnapshot, SnapshotDepartment, SnapshotUser } from './org-snapshot';

const ROOT_DEPT = 1;
const PAGE_SIZE = 100; // the API's maximum

/** Internal apps get about 20 calls/s per API (standard plan); stay at 15. */
export const DINGTALK_PACING: PacerOptions = {
  windows: [{ limit: 15, ms: 1_000 }],
  rateLimitWaitMs: 1_000,
  maxRateLimitRetries: 10,
  transientDelaysMs: [1_000, 2_000, 4_000],
};

interface DingDepartment {
  dept_id: number;
  name: string;
  parent_id?: number;
  dept_manager_userid_list?: string[];
}

interface DingMember {
  userid: string;
  name: string;
  title?: string;
  mobile?: string;
  dept_id_list?: number[];
  manager_userid?: string;
  leader?: boolean;
  leader_in_dept?: { dept_id: number; leader: boolean }[];
  active?: boolean;
}

type Result<T> = OapiResponse & { result: T };

export async function fetchDingtalkOrg(client: DingtalkClient, pacer: CallPacer): Promise<OrgSnapshot> {
  const post = <T>(path: string, body: unknown) => pacer.call(path, () => client.oapiPost<Result<T>>(path, body)).then((r) => r.result);

  const root = await post<DingDepartment>('/topapi/v2/department/get', { dept_id: ROOT_DEPT, language: 'zh_CN' });
  const departments: SnapshotDepartment[] = [{ id: String(root.dept_id), name: root.name, parentId: null, leaders: [...(root.dept_manager_userid_list ?? [])] }];
  for (let i = 0; i < departments.length; i++) {
    const subs = await post<DingDepartment[]>('/topapi/v2/department/listsub', { dept_id: Number(departments[i].id), language: 'zh_CN' });
    for (const s of subs ?? []) departments.push({ id: String(s.dept_id), name: s.name, parentId: String(s.parent_id ?? departments[i].id), leaders: [] });
  }

  const byId = new Map(departments.map((d) => [d.id, d]));
  const addLeader = (deptId: string, userid: string) => {
    const d = byId.get(deptId);
    if (d && !d.leaders.includes(userid)) d.leaders.push(userid);
  };
  const members = new Map<string, SnapshotUser>();
  for (const d of departments) {
    let cursor = 0;
    for (;;) {
      const page = await post<{ has_more: boolean; next_cursor?: number; list?: DingMember[] }>('/topapi/v2/user/list', {
        dept_id: Number(d.id),
        cursor,
        size: PAGE_SIZE,
        language: 'zh_CN',
      });
      for (const m of page.list ?? []) {
        if (m.leader) addLeader(d.id, m.userid);
        for (const l of m.leader_in_dept ?? []) if (l.leader) addLeader(String(l.dept_id), m.userid);
        if (members.has(m.userid)) continue;
        const deptIds = (m.dept_id_list ?? [Number(d.id)]).map(String);
        members.set(m.userid, {
          userid: m.userid,
          name: m.name,
          title: m.title?.trim() || null,
          departmentIds: deptIds,
          mainDepartmentId: deptIds[0] ?? null,
          directLeaders: m.manager_userid ? [m.manager_userid] : [],
          mobile: m.mobile?.trim() || null,
          active: m.active !== false,
        });
      }
      if (!page.has_more || page.next_cursor === undefined) break;
      cursor = page.next_cursor;
    }
  }

  return { provider: 'dingtalk', departments, users: [...members.values()], apiCalls: pacer.calls };
}
