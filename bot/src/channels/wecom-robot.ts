// WeCom group robot (reference W5): POST /cgi-bin/webhook/send?key=… with markdown (≤ 4096 B)
// or, when members are to be @mentioned, text with mentioned_list (≤ 2048 B), or an image
// (msgtype image: base64 + md5, a payload's `image`). One chat per
// robot, so no batching; over the 20/min limit the dispatcher merges waiting messages into one
// markdown message (renderWecomRobotMerged) or delays them.
import type { BotPayload } from '../../../server/src/contracts/bot';
import type { WecomClient } from '../../../server/src/modules/messenger/wecom/wecom.client';
import type { ChannelSender, RowOutcome } from './channel';
import { absoluteUrl, fieldLines, truncateBytes } from './format';
import type { RobotCredentials } from './robot-credentials';

export const WECOM_ROBOT_MARKDOWN_MAX = 4096;
const TEXT_MAX = 2048;

function markdownSection(p: BotPayload, publicUrl: string): string {
  const lines = fieldLines(p);
  return [`**${p.title}**`, p.markdown ?? p.text, ...lines.map((l) => `> ${l}`), ...(p.url ? [`[查看详情](${absoluteUrl(publicUrl, p.url)})`] : [])].filter(Boolean).join('\n');
}

/** The webhook body for one payload. Pure: tested on its own. */
export function renderWecomRobot(p: BotPayload, publicUrl: string): Record<string, unknown> {
  if (p.image) return { msgtype: 'image', image: { base64: p.image.base64, md5: p.image.md5 } };
  if (p.mentionUserIds?.length) {
    const content = [p.title, p.text, ...fieldLines(p), ...(p.url ? [absoluteUrl(publicUrl, p.url)] : [])].filter(Boolean).join('\n');
    return { msgtype: 'text', text: { content: truncateBytes(content, TEXT_MAX), mentioned_list: p.mentionUserIds } };
  }
  return { msgtype: 'markdown', markdown: { content: truncateBytes(markdownSection(p, publicUrl), WECOM_ROBOT_MARKDOWN_MAX) } };
}

/** Several messages to one chat as one markdown message; mentions become <@userid>. */
export function renderWecomRobotMerged(payloads: BotPayload[], publicUrl: string): Record<string, unknown> {
  const mentions = [...new Set(payloads.flatMap((p) => p.mentionUserIds ?? []))];
  const content = [`**${payloads.length} 条消息**`, ...payloads.map((p) => markdownSection(p, publicUrl)), ...(mentions.length ? [mentions.map((u) => `<@${u}>`).join(' ')] : [])].join('\n\n');
  return { msgtype: 'markdown', markdown: { content: truncateBytes(content, WECOM_ROBOT_MARKDOWN_MAX) } };
}

/** Size of a merged message, so the dispatcher merges only what fits. */
export function wecomRobotMergedBytes(payloads: BotPayload[], publicUrl: string): number {
  const mentions = [...new Set(payloads.flatMap((p) => p.mentionUserIds ?? []))];
  const content = [`**${payloads.length} 条消息**`, ...payloads.map((p) => markdownSection(p, publicUrl)), ...(mentions.length ? [mentions.map((u) => `<@${u}>`).join(' ')] : [])].join('\n\n');
  return Buffer.byteLength(content);
}

export function wecomRobotChannel(client: WecomClient, publicUrl: string, credentials: RobotCredentials): ChannelSender {
  return {
    channel: 'wecom_robot',
    maxRecipients: 1,
    // An image is a message of its own: never merged into markdown.
    fitsMerged: (payloads) => !payloads.some((p) => p.image) && wecomRobotMergedBytes(payloads, publicUrl) <= WECOM_ROBOT_MARKDOWN_MAX,
    batchable: () => false,
    async send(rows, opts) {
      const robot = await credentials(rows[0].recipient, 'wecom');
      const body = opts?.merged ? renderWecomRobotMerged(rows.map((r) => r.payload), publicUrl) : renderWecomRobot(rows[0].payload, publicUrl);
      await client.webhookSend(robot.token, body);
      return new Map<number, RowOutcome>(rows.map((r) => [r.id, { outcome: 'sent' }]));
    },
  };
}
