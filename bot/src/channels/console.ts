// The console channel: used when no messenger reaches the recipient (neither WeCom nor DingTalk
// is configured, or the person has no messenger id). The message goes to the log and stays in
// bot_messages, where the admin page 消息投递 → 控制台消息 lists it.
import type { Logger } from 'pino';
import type { ChannelSender, RowOutcome } from './channel';

export function consoleChannel(log: Logger): ChannelSender {
  return {
    channel: 'console',
    maxRecipients: 1000,
    groupAll: true,
    batchable: () => true,
    async send(rows) {
      const out = new Map<number, RowOutcome>();
      for (const r of rows) {
        log.info({ messageId: r.id, kind: r.kind, recipientUserId: r.recipientUserId, departmentId: r.departmentId, title: r.payload.title, text: r.payload.text }, 'bot message (console channel)');
        out.set(r.id, { outcome: 'sent' });
      }
      return out;
    },
  };
}
