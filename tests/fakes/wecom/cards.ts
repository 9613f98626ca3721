// Template-card updates on the fake WeCom (reference W4): `POST /cgi-bin/message/update_template_card`.
// Checked like the real server: the agentid, a response_code the server issued (with an
// interactive card from message/send, or with each template_card_event callback), used at most
// once and within 72 hours, and exactly one of `button` / `template_card`.
// Response codes live in one registry per fake (`responseCodesOf`): message/send (messages.ts)
// and the callback driver issue theirs through it, and this is the only handler of the path
// (installing twice returns the same instance), so a code is accepted once, within 72 h, whoever
// issued it. The errcode for a bad response_code is not documented in our sources; the fake
// answers 40035 "invalid args" with a specific errmsg [unconfirmed].
import crypto from 'node:crypto';
import type { FakeRequest, FakeResponse } from '../fake-http';
import { ok, type FakeWecom } from './fake-wecom';

export const RESPONSE_CODE_TTL_MS = 72 * 3600_000;

export interface ResponseCodeInfo {
  issuedAt: number;
  /** Who received the card the code belongs to. */
  userids: string[];
  taskId: string | null;
  usedAt: number | null;
}

export interface CardUpdate {
  at: number;
  responseCode: string;
  userids: string[] | null;
  atall: boolean;
  replaceName: string | null;
  templateCard: Record<string, unknown> | null;
}

export interface WecomCards {
  readonly responseCodes: Map<string, ResponseCodeInfo>;
  /** Accepted updates, in order. */
  readonly updates: CardUpdate[];
  /** Issues a code as the server does for a card sent to `userids` (or for a button tap). */
  issueResponseCode(info: { userids: string[]; taskId?: string | null }): string;
}

const registries = new WeakMap<FakeWecom, Map<string, ResponseCodeInfo>>();
const installed = new WeakMap<FakeWecom, WecomCards>();

/** The fake's response-code registry (shared by every protocol area that issues codes). */
export function responseCodesOf(fake: FakeWecom): Map<string, ResponseCodeInfo> {
  let m = registries.get(fake);
  if (!m) registries.set(fake, (m = new Map()));
  return m;
}

/** Issues a fresh response code on the fake's clock. */
export function issueResponseCode(fake: FakeWecom, info: { userids: string[]; taskId?: string | null }): string {
  const code = crypto.randomBytes(24).toString('base64url');
  responseCodesOf(fake).set(code, { issuedAt: fake.clock.ms, userids: [...info.userids], taskId: info.taskId ?? null, usedAt: null });
  return code;
}

const invalid = (errmsg: string): FakeResponse => ok({ errcode: 40035, errmsg: `invalid args: ${errmsg}` });
const isStringArray = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every((x) => typeof x === 'string' && x !== '');

/** Serves update_template_card on the fake (once per fake: a second call returns the first). */
export function installWecomCards(fake: FakeWecom): WecomCards {
  const existing = installed.get(fake);
  if (existing) return existing;
  const responseCodes = responseCodesOf(fake);
  const updates: CardUpdate[] = [];
  const lookup = (code: string): ResponseCodeInfo | undefined => responseCodes.get(code);

  fake.onApi('POST', '/cgi-bin/message/update_template_card', (req: FakeRequest) => {
    const b = req.body;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return ok({ errcode: 47001, errmsg: 'data format error' });
    if (b.agentid !== fake.corp.agentId) return ok({ errcode: 40056, errmsg: 'invalid agentid' });
    if (typeof b.response_code !== 'string' || !b.response_code) return invalid('response_code missing');
    const info = lookup(b.response_code);
    if (!info) return invalid('invalid response_code');
    if (info.usedAt !== null) return invalid('response_code has been used');
    if (fake.clock.ms - info.issuedAt > RESPONSE_CODE_TTL_MS) return invalid('response_code expired');
    if ((b.button === undefined) === (b.template_card === undefined)) return invalid('exactly one of button and template_card is required');
    if (b.button !== undefined && (typeof b.button?.replace_name !== 'string' || b.button.replace_name.trim() === '')) return invalid('button.replace_name required');
    if (b.template_card !== undefined && (typeof b.template_card !== 'object' || typeof b.template_card.card_type !== 'string')) return invalid('template_card.card_type required');
    if (b.userids !== undefined && !isStringArray(b.userids, 1000)) return invalid('userids must be at most 1000 userids');
    if (b.partyids !== undefined && !(Array.isArray(b.partyids) && b.partyids.length <= 100)) return invalid('partyids must be at most 100 ids');
    if (b.tagids !== undefined && !(Array.isArray(b.tagids) && b.tagids.length <= 100)) return invalid('tagids must be at most 100 ids');
    if (b.atall !== undefined && b.atall !== 0 && b.atall !== 1) return invalid('atall must be 0 or 1');
    info.usedAt = fake.clock.ms;
    updates.push({
      at: fake.clock.ms,
      responseCode: b.response_code,
      userids: b.userids ?? null,
      atall: b.atall === 1,
      replaceName: b.button?.replace_name ?? null,
      templateCard: b.template_card ?? null,
    });
    return ok({ errcode: 0, errmsg: 'ok' });
  });

  const cards: WecomCards = {
    responseCodes,
    updates,
    issueResponseCode: (info) => issueResponseCode(fake, info),
  };
  installed.set(fake, cards);
  return cards;
}
