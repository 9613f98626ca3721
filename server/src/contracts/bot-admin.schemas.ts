// Admin commands of the bot (message delivery, team group robots, alerts). The server parses
// requests with these and the H5 admin pages validate their forms with the same schemas.
import { z } from 'zod';
import { BOT_CHANNELS, BOT_MESSAGE_STATUSES } from './bot';

export const ROBOT_PROVIDERS = { wecom: '企业微信群机器人', dingtalk: '钉钉群机器人' } as const;
export type RobotProvider = keyof typeof ROBOT_PROVIDERS;

/**
 * A WeCom robot is identified by the `key` of its webhook URL; admins usually paste the whole
 * URL, so both forms are accepted. Returns null when neither looks right.
 */
export function parseWecomWebhookKey(input: string): string | null {
  const v = input.trim();
  const m = /[?&]key=([^&#\s]+)/.exec(v);
  const key = m ? decodeURIComponent(m[1]) : v;
  return /^[A-Za-z0-9-]{8,64}$/.test(key) ? key : null;
}

/** A DingTalk custom robot: the `access_token` of its webhook URL (or the bare token). */
export function parseDingtalkRobotToken(input: string): string | null {
  const v = input.trim();
  const m = /[?&]access_token=([^&#\s]+)/.exec(v);
  const token = m ? decodeURIComponent(m[1]) : v;
  return /^[A-Za-z0-9]{16,128}$/.test(token) ? token : null;
}

/** The 加签 secret shown when "加签" is chosen in the robot's security settings. */
export const DINGTALK_SECRET_RE = /^SEC[A-Za-z0-9]{16,128}$/;

const TOKEN_MESSAGES = {
  wecom: '请填写企业微信群机器人的 Webhook 地址(或其中的 key)',
  dingtalk: '请填写钉钉群机器人的 Webhook 地址(或其中的 access_token)',
} as const;
const SECRET_MESSAGE = '加签密钥应以 SEC 开头(机器人安全设置选择「加签」后显示)';

function checkCredentials(v: { provider: RobotProvider; token?: string; secret?: string | null }, ctx: z.RefinementCtx) {
  if (v.token !== undefined) {
    const ok = v.provider === 'wecom' ? parseWecomWebhookKey(v.token) : parseDingtalkRobotToken(v.token);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['token'], message: TOKEN_MESSAGES[v.provider] });
  }
  if (v.provider === 'wecom' && v.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: '企业微信群机器人没有加签密钥,请留空' });
  if (v.provider === 'dingtalk' && v.secret !== undefined && v.secret !== null && !DINGTALK_SECRET_RE.test(v.secret)) {
    ctx.addIssue({ code: 'custom', path: ['secret'], message: SECRET_MESSAGE });
  }
}

const name = z.string().trim().min(1, '请填写机器人名称').max(64, '名称不能超过 64 个字');
const secret = z.string().trim();

export const CreateTeamRobot = z
  .object({
    departmentId: z.number().int().positive(),
    provider: z.enum(['wecom', 'dingtalk'], { error: '请选择平台' }),
    name,
    token: z.string().trim().min(1, '请填写 Webhook 地址'),
    secret: secret.optional(),
  })
  .superRefine((v, ctx) => {
    checkCredentials(v, ctx);
    if (v.provider === 'dingtalk' && !v.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: SECRET_MESSAGE });
  });
export type CreateTeamRobot = z.infer<typeof CreateTeamRobot>;

/** Token and secret are only replaced when given (the stored ones are never sent back). */
export const UpdateTeamRobot = z.object({
  name: name.optional(),
  token: z.string().trim().min(1, '请填写 Webhook 地址').optional(),
  secret: secret.min(1, SECRET_MESSAGE).optional(),
  enabled: z.boolean().optional(),
});
export type UpdateTeamRobot = z.infer<typeof UpdateTeamRobot>;

/** Provider-specific checks of an update, once the robot (and so its provider) is known. */
export function checkRobotUpdate(provider: RobotProvider, v: UpdateTeamRobot) {
  return UpdateTeamRobot.superRefine((x, ctx) => checkCredentials({ provider, token: x.token, secret: x.secret }, ctx)).safeParse(v);
}

const STATUS_KEYS = Object.keys(BOT_MESSAGE_STATUSES) as [keyof typeof BOT_MESSAGE_STATUSES, ...(keyof typeof BOT_MESSAGE_STATUSES)[]];
const CHANNEL_KEYS = Object.keys(BOT_CHANNELS) as [keyof typeof BOT_CHANNELS, ...(keyof typeof BOT_CHANNELS)[]];
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

export const BotMessageQuery = z.object({
  status: z.preprocess(emptyToUndefined, z.enum(STATUS_KEYS).optional()),
  channel: z.preprocess(emptyToUndefined, z.enum(CHANNEL_KEYS).optional()),
  /** Cursor: only messages with a smaller id (the page after the one shown). */
  beforeId: z.preprocess(emptyToUndefined, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100).default(30)),
});
export type BotMessageQuery = z.infer<typeof BotMessageQuery>;

export const AlertQuery = z.object({
  resolved: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
});
