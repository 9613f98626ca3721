// Bot messages: the channels a message can go out on, its delivery states, and the
// channel-neutral content every transport renders in its own format.

export const BOT_CHANNELS = {
  wecom_app: '企业微信应用消息',
  wecom_robot: '企业微信群机器人',
  dingtalk_notice: '钉钉工作通知',
  dingtalk_robot: '钉钉群机器人',
  dingtalk_card: '钉钉互动卡片',
  console: '控制台(未接入消息平台)',
} as const;
export type BotChannel = keyof typeof BOT_CHANNELS;

export const BOT_MESSAGE_STATUSES = {
  pending: '待发送',
  sending: '发送中',
  sent: '已发送',
  dead: '发送失败',
  cancelled: '已取消',
} as const;
export type BotMessageStatus = keyof typeof BOT_MESSAGE_STATUSES;

export interface BotButton {
  /** Callback key (≤ 1024 B) delivered back with the tap, e.g. "approval:12:approve". */
  key: string;
  text: string;
  style?: 'primary' | 'danger' | 'default';
  /**
   * Where the button leads: a path in the H5 (e.g. "/approvals/12?act=approve") or a full URL.
   * With `link` the button opens it on every channel instead of calling back (e.g. 驳回, which
   * needs a reason typed in the H5); otherwise channels without callbacks open it (default: the
   * payload's url with ?act=<key>).
   */
  url?: string;
  link?: boolean;
}

/** What a message says, independent of where it goes. Transports map it to text/markdown/cards. */
export interface BotPayload {
  title: string;
  /** Plain text body (zh-CN), used where nothing richer fits. */
  text: string;
  /** Markdown body, where the channel renders it. */
  markdown?: string;
  /** Link into the H5 app: a path such as "/customers/12" (PUBLIC_URL is prepended) or a full URL. */
  url?: string;
  /** Key-value rows shown on cards (at most 6). */
  fields?: { label: string; value: string }[];
  /** Interactive buttons (approve/reject…); channels without callbacks link to the H5 instead. */
  buttons?: BotButton[];
  /**
   * A status shown on the message where the channel has one (DingTalk OA work notifications:
   * status_bar, e.g. 待审批, later changed by a card update to 已同意). `bg` is DingTalk's ARGB
   * colour, e.g. "0xFFF65E5E". Other channels ignore it.
   */
  status?: { value: string; bg?: string };
  /** Group robots: messenger user ids to @mention. */
  mentionUserIds?: string[];
  /**
   * Group robots: the message is this picture (PNG/JPG, base64 of at most 2 MB of bytes, and
   * the MD5 hex of those bytes), sent as WeCom msgtype image. Never merged with other messages.
   * Channels that cannot send an image by value render title and text instead.
   */
  image?: { base64: string; md5: string };
  /**
   * Not a new message: replaces the buttons of the card sent as outbox message `messageId` with
   * `title` (WeCom update_template_card with that card's response_code; DingTalk card `status`;
   * DingTalk OA work notification: status_bar/update with its task_id).
   */
  cardUpdate?: { messageId: number };
}
