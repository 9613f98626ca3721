// Fetches the whole org chart from WeCom (reference W8), as far as the self-built app's visible
// range (可见范围) reaches: `department/list` once (all departments, with department_leader), then
// `user/list?department_id=` per department (full member details: direct_leader,
// is_leader_in_dept, main_department, status, mobile). A member of several departments is listed
// in each and kept once. That is 1 + D calls for D departments (5,000 staff in 120 departments:
// 121 calls), far below 10,000/min per API; user/list_id + user/get would cost one call per person.
import type { WecomClient, WecomResponse } from '../messenger/wecom/wecom.client';
import type { CallPacer, PacerOptions } from './call-pacer';
import type { OrgSnapshot, SnapshotUser } from './org-snapshot';

/** 9,000/min and 140,000/h per API: under the 10,000 and 150,000 of W7, leaving room for other callers. */
export const WECOM_PACING: PacerOptions = {
  windows: [
    { limit: 9_000, ms: 60_000 },
    { limit: 140_000, ms: 3_600_000 },
  ],
  rateLimitWaitMs: 60_000, // 45009 lifts when the minute window has passed
  maxRateLimitRetries: 5,
  transientDelaysMs: [1_000, 2_000, 4_000],
};

interface WecomDepartment {
  id: number;
  name: string;
  parentid: number;
  department_leader?: string[];
}

interface WecomMember {
  userid: string;
  name: string;
  department?: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  /** 1 active, 2 disabled, 4 not activated, 5 left */
  status?: number;
}

export async function fetchWecomOrg(client: WecomClient, pacer: CallPacer): Promise<OrgSnapshot> {
  const list = await pacer.call('/cgi-bin/department/list', () => client.get<WecomResponse & { department?: WecomDepartment[] }>('/cgi-bin/department/list'));
  const depts = list.department ?? [];
  const leaders = new Map(depts.map((d) => [String(d.id), [...(d.department_leader ?? [])]]));
  const members = new Map<string, SnapshotUser>();

  for (const d of depts) {
    const res = await pacer.call('/cgi-bin/user/list', () =>
      client.get<WecomResponse & { userlist?: WecomMember[] }>('/cgi-bin/user/list', { department_id: d.id }),
    );
    for (const m of res.userlist ?? []) {
      const deptIds = (m.department ?? []).map(String);
      // is_leader_in_dept is aligned with department[]: a leader flag per membership.
      deptIds.forEach((id, i) => {
        const l = leaders.get(id);
        if (m.is_leader_in_dept?.[i] === 1 && l && !l.includes(m.userid)) l.push(m.userid);
      });
      if (members.has(m.userid)) continue;
      members.set(m.userid, {
        userid: m.userid,
        name: m.name,
        title: m.position?.trim() || null,
        departmentIds: deptIds,
        mainDepartmentId: m.main_department !== undefined ? String(m.main_department) : (deptIds[0] ?? null),
        directLeaders: m.direct_leader ?? [],
        mobile: m.mobile?.trim() || null,
        active: (m.status ?? 1) === 1,
      });
    }
  }

  return {
    provider: 'wecom',
    departments: depts.map((d) => ({ id: String(d.id), name: d.name, parentId: d.parentid ? String(d.parentid) : null, leaders: leaders.get(String(d.id)) ?? [] })),
    users: [...members.values()],
    apiCalls: pacer.calls,
  };
}
