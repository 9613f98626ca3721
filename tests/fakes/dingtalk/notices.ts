// Fake DingTalk work notifications (reference D4): asyncsend_v2 and getsendresult on the old API
// (token checked by the core). Strict where the real server is: agent_id must be the app's, as a
// number; userid_list a comma-joined string of ≤ 100 ids; msg keys snake_case (action_card with
// single_title/single_url or btn_json_list[{title, action_url}]); task_id per send. Per user and
// Shanghai day: ≤ 500 messages (forbidden 143105) and the same content once (forbidden 143106);
// unknown users land in invalid_user_id_list. Malformed parameters answer 40035 (缺少参数).
// status_bar/update changes the status bar of an oa message the fake sent (by its task_id) and
// records each change in `statusUpdates`.
import crypto from 'node:crypto';
import type { FakeDingtalk } from './fake-dingtalk';
import { ok } from './fake-dingtalk';

export interface NoticeDelivery {
  recipient: string;
  msgtype: string;
  content: any;
  at: number;
  taskId: number;
}

export interface StatusBarUpdate {
  taskId: number;
  statusValue: string;
  statusBg: string | null;
  at: number;
}

interface TaskResult {
  invalid: string[];
  forbidden: { code: string; count: number; userid: string }[];
}

export interface DingtalkNoticesFake {
  delivered: NoticeDelivery[];
  tasks: Map<number, TaskResult>;
  deliveredTo(userid: string): NoticeDelivery[];
  /** Most userids in any one asyncsend_v2 call. */
  maxUseridsPerCall(): number;
  /** Accepted status_bar/update calls, in order. */
  statusUpdates: StatusBarUpdate[];
  /** The status bar updates of one sent message (by its task_id). */
  statusUpdatesOf(taskId: number): StatusBarUpdate[];
}

const SEND = '/topapi/message/corpconversation/asyncsend_v2';
const RESULT = '/topapi/message/corpconversation/getsendresult';
const STATUS_BAR = '/topapi/message/corpconversation/status_bar/update';
/** [unconfirmed] The real server's limit on status_value is not documented; we allow 10 characters. */
const STATUS_VALUE_MAX = 10;
const bad = (what: string) => ok({ errcode: 40035, errmsg: `缺少参数 ${what}` });
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

function checkMsg(msg: any): string | null {
  if (!msg || typeof msg !== 'object' || typeof msg.msgtype !== 'string') return 'msg';
  const m = msg[msg.msgtype];
  if (!m || typeof m !== 'object') return `msg.${msg.msgtype}`;
  switch (msg.msgtype) {
    case 'text':
      return typeof m.content === 'string' && m.content ? null : 'msg.text.content';
    case 'markdown':
      return typeof m.title === 'string' && m.title && typeof m.text === 'string' && m.text ? null : 'msg.markdown';
    case 'action_card': {
      if ('singleTitle' in m || 'singleURL' in m || 'btnJsonList' in m || 'btnOrientation' in m) return 'msg.action_card (snake_case)';
      if (typeof m.title !== 'string' || !m.title || typeof m.markdown !== 'string' || !m.markdown) return 'msg.action_card.title/markdown';
      if (m.single_title !== undefined || m.single_url !== undefined) return typeof m.single_title === 'string' && typeof m.single_url === 'string' ? null : 'msg.action_card.single_url';
      if (!Array.isArray(m.btn_json_list) || !m.btn_json_list.length) return 'msg.action_card.btn_json_list';
      return m.btn_json_list.every((b: any) => typeof b?.title === 'string' && b.title && typeof b.action_url === 'string' && b.action_url) ? null : 'msg.action_card.btn_json_list';
    }
    case 'oa':
      if (!m.head || typeof m.head.bgcolor !== 'string' || !m.body || typeof m.body !== 'object') return 'msg.oa.head/body';
      if (m.status_bar !== undefined && (typeof m.status_bar?.status_value !== 'string' || !m.status_bar.status_value)) return 'msg.oa.status_bar.status_value';
      return !m.body.form || (Array.isArray(m.body.form) && m.body.form.length <= 6) ? null : 'msg.oa.body.form';
    case 'link':
      return typeof m.messageUrl === 'string' && typeof m.title === 'string' ? null : 'msg.link';
    default:
      return 'msg.msgtype';
  }
}

export function installNotices(fake: FakeDingtalk, opts: { perUserPerDay?: number } = {}): DingtalkNoticesFake {
  const perDay = opts.perUserPerDay ?? 500;
  let nextTask = 700_000_001;
  const sentContent = new Set<string>(); // day|user|hash
  const oaTasks = new Set<number>(); // task_ids of accepted oa sends
  const state: DingtalkNoticesFake = {
    delivered: [],
    tasks: new Map(),
    statusUpdates: [],
    statusUpdatesOf: (taskId) => state.statusUpdates.filter((u) => u.taskId === taskId),
    deliveredTo: (u) => state.delivered.filter((d) => d.recipient === u),
    maxUseridsPerCall: () => Math.max(0, ...fake.calls.filter((c) => c.path === SEND && typeof c.body?.userid_list === 'string').map((c) => c.body.userid_list.split(',').length)),
  };

  fake.onOapi('POST', SEND, (req) => {
    const b = req.body;
    if (!b || typeof b !== 'object') return bad('body');
    if (typeof b.agent_id !== 'number' || b.agent_id !== fake.app.agentId) return bad('agent_id');
    if (b.userid_list !== undefined && typeof b.userid_list !== 'string') return bad('userid_list');
    const users = String(b.userid_list ?? '').split(',').filter(Boolean);
    if (users.length > 100) return bad('userid_list (最多 100 个)');
    if (!users.length && !b.dept_id_list && b.to_all_user !== true) return bad('userid_list');
    const problem = checkMsg(b.msg);
    if (problem) return bad(problem);
    const now = fake.clock.ms;
    const day = shanghaiDay(now);
    const hash = crypto.createHash('sha256').update(JSON.stringify(b.msg)).digest('hex');
    const taskId = nextTask++;
    const result: TaskResult = { invalid: [], forbidden: [] };
    for (const u of users) {
      if (!fake.users.get(u)?.active) {
        result.invalid.push(u);
        continue;
      }
      const today = state.delivered.filter((d) => d.recipient === u && shanghaiDay(d.at) === day).length;
      if (today >= perDay) {
        result.forbidden.push({ code: '143105', count: today, userid: u });
        continue;
      }
      const key = `${day}|${u}|${hash}`;
      if (sentContent.has(key)) {
        result.forbidden.push({ code: '143106', count: 1, userid: u });
        continue;
      }
      sentContent.add(key);
      state.delivered.push({ recipient: u, msgtype: b.msg.msgtype, content: b.msg[b.msg.msgtype], at: now, taskId });
    }
    state.tasks.set(taskId, result);
    if (b.msg.msgtype === 'oa') oaTasks.add(taskId);
    return ok({ errcode: 0, errmsg: 'ok', task_id: taskId, request_id: crypto.randomUUID() });
  });

  fake.onOapi('POST', STATUS_BAR, (req) => {
    const b = req.body;
    if (!b || typeof b !== 'object') return bad('body');
    if (typeof b.agent_id !== 'number' || b.agent_id !== fake.app.agentId) return bad('agent_id');
    // [unconfirmed] errcode/errmsg for a task_id that is unknown or not an oa message: the real
    // server's answer is not documented; 40035 (不合法的参数) as for getsendresult.
    if (typeof b.task_id !== 'number' || !oaTasks.has(b.task_id)) return ok({ errcode: 40035, errmsg: '不合法的参数 task_id(不是本应用发出的 OA 消息)' });
    if (typeof b.status_value !== 'string' || !b.status_value) return bad('status_value');
    // [unconfirmed] length limit, see STATUS_VALUE_MAX.
    if ([...b.status_value].length > STATUS_VALUE_MAX) return ok({ errcode: 40035, errmsg: `不合法的参数 status_value(最多 ${STATUS_VALUE_MAX} 个字)` });
    if (b.status_bg !== undefined && typeof b.status_bg !== 'string') return bad('status_bg');
    state.statusUpdates.push({ taskId: b.task_id, statusValue: b.status_value, statusBg: b.status_bg ?? null, at: fake.clock.ms });
    return ok({ errcode: 0, errmsg: 'ok', request_id: crypto.randomUUID() });
  });

  fake.onOapi('POST', RESULT, (req) => {
    const b = req.body;
    if (!b || b.agent_id !== fake.app.agentId) return bad('agent_id');
    const r = state.tasks.get(Number(b.task_id));
    if (!r) return ok({ errcode: 40035, errmsg: '不合法的参数 task_id' });
    return ok({
      errcode: 0,
      errmsg: 'ok',
      send_result: {
        invalid_user_id_list: r.invalid,
        forbidden_user_id_list: r.forbidden.map((f) => f.userid),
        failed_user_id_list: [],
        read_user_id_list: [],
        unread_user_id_list: [],
        invalid_dept_id_list: [],
        forbidden_list: r.forbidden,
      },
    });
  });
  return state;
}
