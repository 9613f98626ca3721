// One-tap approval in chat (C12): the card_action handler for approval card buttons
// `approval:<taskId>:approve|reject`. The callback layer has already verified the event, resolved
// the tapping CRM user and deduplicated redeliveries; this module decides what the tap means:
//   - 同意 by the holder of the pending task decides at once through applications.decide, with
//     an idempotency key per task, so a double tap (two events) is still one decision; the card
//     then says 已同意 (and the other approvers' cards 已由 <name> 处理, via the outbox);
//   - 驳回 never decides: a rejection needs a reason. The card's 驳回 is a link to the H5 page
//     (`/approvals/<id>?act=reject` opens the reject sheet); a 驳回 tap that reaches us anyway (an
//     older card, a DingTalk template wired as a callback) leaves the card's buttons as they are
//     and sends the tapper that link;
//   - a tap by someone who holds no task on that node, or on a task already closed, decides
//     nothing and the card says why (无权处理, 已由 X 处理, 申请人已撤回, …).
import type { Deps } from '../../deps';
import { AppError } from '../../http/errors';
import { DECISIONS, type Decision } from '../../contracts/applications';
import type { CardActionEvent, CardActionResult } from '../callbacks/handler-registry';
import type { ApplicationService } from '../applications/application.service';
import { dingtalkAppLink } from '../../../../bot/src/channels/dingtalk-notice';

const KEY = /^approval:(\d{1,15}):(approve|reject)$/;

export function parseApprovalKey(key: string): { taskId: number; act: 'approve' | 'reject' } | null {
  const m = KEY.exec(key);
  return m ? { taskId: Number(m[1]), act: m[2] as 'approve' | 'reject' } : null;
}

/** What a card shows instead of its buttons when a tap could not decide. */
function closedText(err: AppError): string {
  const d = (err.details ?? {}) as { decidedBy?: string | null; status?: string; action?: Decision };
  if (err.code === 'APPROVAL_ALREADY_DECIDED' && d.action) return `已${DECISIONS[d.action].slice(0, 2)}`;
  if (err.code === 'APPROVAL_TASK_CLOSED') {
    if (d.status === 'withdrawn') return '申请人已撤回';
    if (d.decidedBy) return `已由 ${d.decidedBy} 处理`;
    return /转交/.test(err.message) ? '已转交' : '已处理';
  }
  return '无权处理';
}

export function createApprovalChatHandler(deps: Pick<Deps, 'db' | 'bot' | 'config'>, applications: Pick<ApplicationService, 'decideAsUser'>) {
  const { ApprovalTask, Application } = deps.db.models;

  /** A 驳回 tap: the link to the H5 reject sheet, as a message to the tapper on the same messenger. */
  async function promptReject(e: CardActionEvent, applicationId: number, taskId: number): Promise<CardActionResult> {
    const page = `/approvals/${applicationId}?act=reject`;
    const tap = e.provider === 'wecom' ? String(e.raw.CreateTime ?? '') : String(e.outTrackId ?? '');
    await deps.bot.enqueue(null, {
      idemKey: `approval:${taskId}:reject-prompt:${e.provider}:${tap}`.slice(0, 160),
      channel: e.provider === 'wecom' ? 'wecom_app' : 'dingtalk_notice',
      kind: 'approval_reject_prompt',
      recipient: e.messengerUserId,
      recipientUserId: e.userId,
      payload: { title: '驳回需填写原因', text: '驳回进件必须说明原因,请在审批页填写后提交。', url: page },
      ref: { type: 'application', id: applicationId },
    });
    // The card keeps its buttons (同意 still works); a DingTalk template may show the hint and link.
    const dt = deps.config.dingtalk;
    if (e.provider === 'dingtalk' && dt) {
      return { cardData: { hint: '驳回需填写原因,请在审批页填写', rejectUrl: dingtalkAppLink({ corpId: dt.corpId, agentId: dt.agentId, publicUrl: deps.config.publicUrl }, page) } };
    }
    return {};
  }

  return async function onApprovalTap(e: CardActionEvent): Promise<CardActionResult | undefined> {
    const parsed = parseApprovalKey(e.key);
    if (!parsed) return undefined;
    const task = await ApprovalTask.findByPk(parsed.taskId, { raw: true });
    if (!task || task.assigneeId !== e.userId) return { replaceName: '无权处理' };

    if (parsed.act === 'reject') {
      // Never decides (a rejection needs a reason): the link when the task waits, else why not.
      const app = await Application.findByPk(task.applicationId, { attributes: ['id', 'status'], raw: true });
      if (task.status === 'pending' && app?.status === 'pending') return promptReject(e, Number(task.applicationId), Number(task.id));
      if (task.action && task.action in DECISIONS) return { replaceName: `已${DECISIONS[task.action as Decision].slice(0, 2)}` };
      if (app?.status === 'withdrawn') return { replaceName: '申请人已撤回' };
      return { replaceName: task.status === 'delegated' ? '已转交' : '已处理' };
    }

    try {
      const r = await applications.decideAsUser(e.userId, {
        taskId: Number(task.id),
        action: 'approve',
        // Per task: a second tap (a new event) or a redelivery is answered from the record.
        idempotencyKey: `chat:task:${task.id}:approve`,
        cardRef: e.provider === 'wecom' ? e.taskId : e.outTrackId,
      });
      return { replaceName: `已${DECISIONS[r.action].slice(0, 2)}` };
    } catch (err) {
      if (err instanceof AppError && err.status >= 400 && err.status < 500) return { replaceName: closedText(err) };
      throw err;
    }
  };
}

/** Registers the approval card handler on the callback registry (idempotent by name). */
export function registerApprovalChat(deps: Pick<Deps, 'db' | 'bot' | 'config' | 'callbacks'>, applications: Pick<ApplicationService, 'decideAsUser'>) {
  return deps.callbacks.on('card_action', 'approvals', createApprovalChatHandler(deps, applications));
}
