// Where approval notices go: the bot's outbox (bot.service notifyUsers), written in the caller's
// transaction so a notice exists exactly when the change that caused it committed. The approval
// module decides what a notice says (approval.notices.ts); the bot decides which channel reaches
// each person and delivers it. Tests pass a recording notifier instead.
import type { Transaction } from 'sequelize';
import type { BotPayload } from '../../contracts/bot';
import type { BotService } from '../bot/bot.service';

export interface ApprovalNotice {
  /** approval_task | approval_result | approval_cc | approval_withdrawn | approval_sla_remind | approval_sla_escalate */
  kind: string;
  userIds: number[];
  /** Unique per business event (the bot makes it unique per recipient and channel). */
  idemKey: string;
  applicationId: number;
  payload: BotPayload;
}

/** Tasks whose chat cards should stop offering buttons, and what they say instead. */
export interface CardClose {
  applicationId: number;
  closes: { taskId: number; text: string }[];
  /** The card the decider tapped (WeCom task_id / DingTalk outTrackId): the callback updates it itself. */
  skipCardRef?: string | null;
}

export interface ApprovalNotifier {
  notify(t: Transaction, notices: ApprovalNotice[]): Promise<void>;
  /** Closes the approval cards of tasks that no longer wait for their approver (same transaction). */
  closeCards?(t: Transaction, c: CardClose): Promise<void>;
}

export const noopNotifier: ApprovalNotifier = { notify: async () => {} };

/** The production notifier: one outbox row per recipient and channel, via the bot service. */
export function createApprovalNotifier(bot: Pick<BotService, 'notifyUsers' | 'closeCards'>): ApprovalNotifier {
  return {
    async closeCards(t, c) {
      if (!c.closes.length) return;
      await bot.closeCards(t, {
        ref: { type: 'application', id: c.applicationId },
        closes: c.closes.map((x) => ({ keyPrefix: `approval:${x.taskId}:`, text: x.text })),
        skipCardRefs: c.skipCardRef ? [c.skipCardRef] : [],
      });
    },
    async notify(t, notices) {
      for (const n of notices) {
        if (!n.userIds.length) continue;
        await bot.notifyUsers(t, { userIds: n.userIds, kind: n.kind, idemKey: n.idemKey, payload: n.payload, ref: { type: 'application', id: n.applicationId } });
      }
    },
  };
}
