// What approval notices say (channel-neutral BotPayloads). Messages leave the CRM, so the
// customer's name is masked and no phone or ID number appears; the link opens the H5 page.
import { APPLICATION_STATUSES, DECISIONS, type ApplicationStatus, type Decision } from '../../contracts/applications';
import { formatFenShort } from '../../contracts/money';
import type { ApprovalNotice } from './approval.notifier';

export interface NoticeApp {
  id: number;
  product: string;
  amountFen: number;
  termMonths: number;
  customerName: string;
  applicantName: string;
  submittedAt: Date | null;
  /** The 风控预检 summary of the current round (modules/risk), when one was run. */
  risk?: string | null;
}

/** 王小明 → 王**: the surname stays, the rest is starred. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? name : chars[0] + '*'.repeat(chars.length - 1);
}

const shanghai = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const when = (d: Date | null) => (d ? shanghai.format(d) : '—');

function facts(a: NoticeApp) {
  return [
    { label: '客户', value: maskName(a.customerName) },
    { label: '金额', value: formatFenShort(a.amountFen) },
    { label: '期限', value: `${a.termMonths} 个月` },
    { label: '信贷员', value: a.applicantName },
    { label: '提交时间', value: when(a.submittedAt) },
    ...(a.risk ? [{ label: '风控预检', value: a.risk }] : []),
  ];
}

const title = (a: NoticeApp) => `贷款审批 · ${a.product} ${formatFenShort(a.amountFen)}`;
const url = (a: NoticeApp) => `/approvals/${a.id}`;

/**
 * The buttons of an approval card. 同意 calls back (`approval:<taskId>:approve`) and decides at
 * once; 驳回 needs a reason, so it opens the H5 decision page with the reject sheet open (a link
 * button); 查看详情 opens the application. Where a channel cannot call back (a DingTalk work
 * notification without Stream cards) the task goes as an OA message with a status bar instead
 * (see taskNotice); other notices with these buttons fall back to links (同意 → ?act=approve).
 */
export function approvalButtons(a: NoticeApp, taskId: number) {
  return [
    { key: `approval:${taskId}:approve`, text: '同意', style: 'primary' as const, url: `${url(a)}?act=approve` },
    { key: `approval:${taskId}:reject`, text: '驳回', style: 'danger' as const, url: `${url(a)}?act=reject`, link: true },
    { key: `approval:${taskId}:view`, text: '查看详情', style: 'default' as const, url: url(a), link: true },
  ];
}

/** DingTalk OA status bar of a task notice while the task waits (red, like DingTalk's own 审批). */
export const TASK_PENDING_STATUS = { value: '待审批', bg: '0xFFF65E5E' };

/**
 * A new task: the card with 同意 / 驳回 buttons (keys carry the task id for the chat callback).
 * `status` is for the DingTalk fallback: an OA work notification opening the H5 detail page, whose
 * status bar says 待审批 until the task closes (then status_bar/update, via closeCards).
 */
export function taskNotice(a: NoticeApp, task: { id: number; assigneeId: number; nodeName: string }): ApprovalNotice {
  return {
    kind: 'approval_task',
    userIds: [task.assigneeId],
    idemKey: `approval:task:${task.id}`,
    applicationId: a.id,
    payload: {
      title: title(a),
      text: `${a.applicantName} 提交的进件待你审批(${task.nodeName}):客户 ${maskName(a.customerName)},${formatFenShort(a.amountFen)},${a.termMonths} 个月。`,
      url: url(a),
      fields: facts(a),
      buttons: approvalButtons(a, task.id),
      status: TASK_PENDING_STATUS,
    },
  };
}

/** The applicant hears of every decision at once. */
export function decisionNotice(a: NoticeApp, d: { actionId: number; applicantId: number; deciderName: string; decision: Decision; nodeName: string; comment: string | null; status: ApplicationStatus }): ApprovalNotice {
  const outcome = d.status === 'pending' ? `进入下一步审批` : APPLICATION_STATUSES[d.status];
  return {
    kind: 'approval_result',
    userIds: [d.applicantId],
    idemKey: `application:${a.id}:action:${d.actionId}`,
    applicationId: a.id,
    payload: {
      title: `${DECISIONS[d.decision]} · ${a.product} ${formatFenShort(a.amountFen)}`,
      text: `${d.deciderName}(${d.nodeName})${DECISIONS[d.decision]}了客户 ${maskName(a.customerName)} 的进件,当前:${outcome}。${d.comment ? `意见:${d.comment}` : ''}`,
      url: url(a),
      fields: [...facts(a).slice(0, 3), { label: '审批人', value: d.deciderName }, { label: '结果', value: outcome }],
    },
  };
}

/** The flow finished on its own (every remaining node passed without people): tell the applicant. */
export function approvedNotice(a: NoticeApp, applicantId: number, round: number): ApprovalNotice {
  return {
    kind: 'approval_result',
    userIds: [applicantId],
    idemKey: `application:${a.id}:r${round}:approved`,
    applicationId: a.id,
    payload: { title: `已通过 · ${a.product} ${formatFenShort(a.amountFen)}`, text: `客户 ${maskName(a.customerName)} 的进件已审批通过。`, url: url(a), fields: facts(a) },
  };
}

export function ccNotice(a: NoticeApp, cc: { userIds: number[]; nodeId: string; round: number }): ApprovalNotice {
  return {
    kind: 'approval_cc',
    userIds: cc.userIds,
    idemKey: `application:${a.id}:r${cc.round}:cc:${cc.nodeId}`,
    applicationId: a.id,
    payload: { title: `抄送 · ${title(a)}`, text: `${a.applicantName} 提交的进件抄送给你:客户 ${maskName(a.customerName)},${formatFenShort(a.amountFen)}。`, url: url(a), fields: facts(a) },
  };
}

export function withdrawnNotice(a: NoticeApp, userIds: number[], round: number): ApprovalNotice {
  return {
    kind: 'approval_withdrawn',
    userIds,
    idemKey: `application:${a.id}:r${round}:withdrawn`,
    applicationId: a.id,
    payload: { title: `已撤回 · ${title(a)}`, text: `${a.applicantName} 撤回了客户 ${maskName(a.customerName)} 的进件,无需再审批。`, url: url(a) },
  };
}

export function slaNotice(a: NoticeApp, s: { taskId: number; stage: 'remind' | 'escalate'; userIds: number[]; assigneeName: string; nodeName: string; slaHours: number }): ApprovalNotice {
  const remind = s.stage === 'remind';
  return {
    kind: remind ? 'approval_sla_remind' : 'approval_sla_escalate',
    userIds: s.userIds,
    idemKey: `approval:task:${s.taskId}:${s.stage}`,
    applicationId: a.id,
    payload: {
      title: `${remind ? '审批超时提醒' : '审批超时上报'} · ${title(a)}`,
      text: remind
        ? `你有一条进件(${s.nodeName})等待审批已超过 ${s.slaHours} 个工作小时,请尽快处理。`
        : `${s.assigneeName} 的审批(${s.nodeName})已超过 ${s.slaHours * 2} 个工作小时仍未处理,请督促或转交他人。`,
      url: url(a),
      fields: facts(a),
      ...(remind ? { buttons: approvalButtons(a, s.taskId) } : {}),
    },
  };
}
