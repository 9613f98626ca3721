// DingTalk custom group robot (reference D6): signed POST /robot/send (timestamp + HmacSHA256
// sign, done by the client), camelCase bodies: markdown {title, text} or text {content}, with
// at.atUserIds for mentions (which markdown must also name as @userid in its text).
import type { BotPayload } from '../../../server/src/contracts/bot';
import type { DingtalkClient } from '../../../server/src/modules/messenger/dingtalk/dingtalk.client';
import type { ChannelSender, RowOutcome } from './channel';
import { fieldLines, truncateBytes, truncateChars } from './format';
import { dingtalkAppLink, type DingtalkLinkOptions } from './dingtalk-notice';
import type { RobotCredentials } from './robot-credentials';

export const DINGTALK_ROBOT_MARKDOWN_MAX = 4000;

function section(p: BotPayload, link: DingtalkLinkOptions): string {
  const lines = fieldLines(p);
  return [`#### ${p.title}`, p.markdown ?? p.text, ...lines.map((l) => `- ${l}`), ...(p.url ? [`[查看详情](${dingtalkAppLink(link, p.url)})`] : [])].filter(Boolean).join('\n\n');
}

const at = (ids: string[]) => ({ at: { atUserIds: ids, isAtAll: false } });

/** The robot body for one payload. Pure: tested on its own. */
export function renderDingtalkRobot(p: BotPayload, link: DingtalkLinkOptions): Record<string, unknown> {
  const mentions = p.mentionUserIds ?? [];
  if (!p.markdown && !p.url && !p.fields?.length) {
    return { msgtype: 'text', text: { content: [p.title, p.text, mentions.map((u) => `@${u}`).join(' ')].filter(Boolean).join('\n') }, ...at(mentions) };
  }
  const text = [section(p, link), mentions.map((u) => `@${u}`).join(' ')].filter(Boolean).join('\n\n');
  return { msgtype: 'markdown', markdown: { title: truncateChars(p.title, 64), text: truncateBytes(text, DINGTALK_ROBOT_MARKDOWN_MAX) }, ...at(mentions) };
}

function mergedText(payloads: BotPayload[], link: DingtalkLinkOptions) {
  const mentions = [...new Set(payloads.flatMap((p) => p.mentionUserIds ?? []))];
  return { mentions, text: [`#### ${payloads.length} 条消息`, ...payloads.map((p) => section(p, link)), mentions.map((u) => `@${u}`).join(' ')].filter(Boolean).join('\n\n---\n\n') };
}

export function renderDingtalkRobotMerged(payloads: BotPayload[], link: DingtalkLinkOptions): Record<string, unknown> {
  const { mentions, text } = mergedText(payloads, link);
  return { msgtype: 'markdown', markdown: { title: `${payloads.length} 条消息`, text: truncateBytes(text, DINGTALK_ROBOT_MARKDOWN_MAX) }, ...at(mentions) };
}

export function dingtalkRobotMergedBytes(payloads: BotPayload[], link: DingtalkLinkOptions): number {
  return Buffer.byteLength(mergedText(payloads, link).text);
}

export function dingtalkRobotChannel(client: DingtalkClient, publicUrl: string, credentials: RobotCredentials): ChannelSender {
  const link = { corpId: client.config.corpId, agentId: client.config.agentId, publicUrl };
  return {
    channel: 'dingtalk_robot',
    maxRecipients: 1,
    fitsMerged: (payloads) => dingtalkRobotMergedBytes(payloads, link) <= DINGTALK_ROBOT_MARKDOWN_MAX,
    batchable: () => false,
    async send(rows, opts) {
      const robot = await credentials(rows[0].recipient, 'dingtalk');
      const body = opts?.merged ? renderDingtalkRobotMerged(rows.map((r) => r.payload), link) : renderDingtalkRobot(rows[0].payload, link);
      await client.robotSend(robot.token, robot.secret, body);
      return new Map<number, RowOutcome>(rows.map((r) => [r.id, { outcome: 'sent' }]));
    },
  };
}
