// The messenger's org chart as one provider-neutral snapshot: what a source fetches (WeCom or
// DingTalk) and what the apply step turns into departments and users. Ids stay the messenger's.
export type OrgProvider = 'wecom' | 'dingtalk';

export interface SnapshotDepartment {
  /** Messenger department id (WeCom `id`, DingTalk `dept_id`), as a string. */
  id: string;
  name: string;
  /** Parent's messenger id; null or an id outside the snapshot for a root. */
  parentId: string | null;
  /** Messenger userids of the department's leaders, first = the one the CRM records. */
  leaders: string[];
}

export interface SnapshotUser {
  userid: string;
  name: string;
  title: string | null;
  /** Every department the person belongs to (messenger ids). */
  departmentIds: string[];
  /** The department the CRM files them under (WeCom main_department, DingTalk first dept). */
  mainDepartmentId: string | null;
  /** Explicit supervisors (WeCom direct_leader, DingTalk manager_userid), first one wins. */
  directLeaders: string[];
  /** Mobile as the messenger returned it, or null when not returned (new WeCom apps don't). */
  mobile: string | null;
  /** Employed and able to sign in (WeCom status 1; DingTalk active). */
  active: boolean;
}

export interface OrgSnapshot {
  provider: OrgProvider;
  departments: SnapshotDepartment[];
  users: SnapshotUser[];
  /** API calls the fetch made (token calls excluded). */
  apiCalls: number;
}
