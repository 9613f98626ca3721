// What a received callback is, independent of how it arrived: the stored payload of each kind,
// its deduplication key (messengers redeliver), and the normalised events handlers receive.
import crypto from 'node:crypto';
import type { MessengerProvider } from '../messenger/messenger-error';
import type { CardActionEvent, ChatMessageEvent, MessengerEvent } from './handler-registry';
import type { XmlObject, XmlValue } from './wecom-xml';

/** The row's event_type: two kinds we act on, anything else is dispatched as a generic event. */
export type StoredKind = 'card_action' | 'chat_message' | 'event';

/** callback_events.payload: the message as the provider sent it (decrypted, parsed). */
export interface StoredPayload {
  provider: MessengerProvider;
  /** WeCom XML fields; DingTalk event JSON; Stream frame data (plus `headers` for events). */
  message: Record<string, unknown>;
}

export interface Classified {
  kind: StoredKind;
  /** Stored as event_type: the kind, or the provider's event name for generic events. */
  eventType: string;
  dedupeKey: string;
}

/** Joins key parts; long keys are hashed to fit the 191-character unique index. */
export function dedupeKey(...parts: (string | number | null | undefined)[]): string {
  const key = parts.map((p) => String(p ?? '')).join(':');
  return key.length <= 191 ? key : `sha256:${crypto.createHash('sha256').update(key).digest('hex')}`;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

// --- WeCom (reference W6) ------------------------------------------------------------------

/** A text message by MsgId; an event by sender + CreateTime (+ the event's own identifiers). */
export function classifyWecom(m: XmlObject): Classified {
  const msgType = str(m.MsgType);
  const event = str(m.Event);
  if (msgType === 'event' && (event === 'template_card_event' || event === 'template_card_menu_event')) {
    return { kind: 'card_action', eventType: 'card_action', dedupeKey: dedupeKey('card', str(m.FromUserName), str(m.CreateTime), str(m.TaskId), str(m.EventKey)) };
  }
  if (msgType === 'text') {
    const id = str(m.MsgId);
    return { kind: 'chat_message', eventType: 'chat_message', dedupeKey: id ? dedupeKey('msg', id) : dedupeKey('msg', str(m.FromUserName), str(m.CreateTime)) };
  }
  const type = msgType === 'event' ? event || 'event' : msgType || 'unknown';
  const id = str(m.MsgId);
  return {
    kind: 'event',
    eventType: type.slice(0, 64),
    dedupeKey: id ? dedupeKey('msg', id) : dedupeKey('evt', str(m.FromUserName), str(m.CreateTime), type, str(m.EventKey), str(m.ChangeType), str(m.UserID)),
  };
}

function asList(v: XmlValue | undefined): XmlValue[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** SelectedItems/SelectedItem{QuestionKey, OptionIds/OptionId*} → { questionKey: optionIds[] }. */
function wecomSelections(m: XmlObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const items = m.SelectedItems;
  if (!items || typeof items !== 'object' || Array.isArray(items)) return out;
  for (const item of asList(items.SelectedItem)) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
    const q = str(item.QuestionKey);
    const ids = item.OptionIds && typeof item.OptionIds === 'object' && !Array.isArray(item.OptionIds) ? asList(item.OptionIds.OptionId) : [];
    if (q) out[q] = ids.map(str).filter(Boolean);
  }
  return out;
}

// --- DingTalk Stream (reference D5) and HTTP events (D7) ------------------------------------

function parseJson(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  if (typeof v !== 'string' || !v) return {};
  try {
    const o = JSON.parse(v);
    return o && typeof o === 'object' ? o : {};
  } catch {
    return {};
  }
}

/** The card's private data of a DingTalk card callback: `{actionIds[], params{}}`. */
function cardPrivateData(m: Record<string, unknown>): { actionIds: string[]; params: Record<string, unknown> } {
  const content = parseJson(m.content ?? m.value);
  const pd = parseJson(content.cardPrivateData);
  const actionIds = Array.isArray(pd.actionIds) ? pd.actionIds.map(str).filter(Boolean) : [];
  return { actionIds, params: parseJson(pd.params) };
}

function cardKey(m: Record<string, unknown>): string {
  const { actionIds, params } = cardPrivateData(m);
  return str(params.key) || actionIds[0] || '';
}

/** Card tap: one per card, user and action; a redelivered frame has the same three. */
export function classifyStreamCard(data: Record<string, unknown>): Classified {
  return { kind: 'card_action', eventType: 'card_action', dedupeKey: dedupeKey('card', str(data.outTrackId), str(data.userId), cardKey(data)) };
}

export function classifyStreamRobot(data: Record<string, unknown>, messageId: string): Classified {
  return { kind: 'chat_message', eventType: 'chat_message', dedupeKey: dedupeKey('msg', str(data.msgId) || messageId) };
}

export function classifyStreamEvent(headers: Record<string, unknown>): Classified {
  const type = str(headers.eventType) || str(headers.topic) || 'event';
  return { kind: 'event', eventType: type.slice(0, 64), dedupeKey: dedupeKey('evt', str(headers.eventId) || str(headers.messageId)) };
}

/** HTTP event subscription: no event id in the old format, so the plaintext itself identifies it. */
export function classifyDingtalkEvent(message: Record<string, unknown>, plaintext: string): Classified {
  const type = str(message.EventType) || 'event';
  return { kind: 'event', eventType: type.slice(0, 64), dedupeKey: dedupeKey('evt', type, crypto.createHash('sha256').update(plaintext).digest('hex')) };
}

// --- normalised events ----------------------------------------------------------------------

export type CardActionBase = Omit<CardActionEvent, 'userId'>;

export function cardActionOf(p: StoredPayload): CardActionBase {
  const m = p.message;
  if (p.provider === 'wecom') {
    const x = m as XmlObject;
    return {
      provider: 'wecom',
      messengerUserId: str(x.FromUserName),
      key: str(x.EventKey),
      taskId: str(x.TaskId) || null,
      outTrackId: null,
      responseCode: str(x.ResponseCode) || null,
      params: wecomSelections(x),
      raw: m,
    };
  }
  const { params } = cardPrivateData(m);
  return { provider: 'dingtalk', messengerUserId: str(m.userId), key: cardKey(m), taskId: null, outTrackId: str(m.outTrackId) || null, responseCode: null, params, raw: m };
}

const sentAt = (ms: number) => new Date(Number.isFinite(ms) && ms > 0 ? ms : Date.now());

export function chatMessageOf(p: StoredPayload): Omit<ChatMessageEvent, 'userId'> {
  const m = p.message;
  if (p.provider === 'wecom') {
    return { provider: 'wecom', messengerUserId: str(m.FromUserName), text: str(m.Content).trim(), sentAt: sentAt(Number(str(m.CreateTime)) * 1000), raw: m };
  }
  const text = parseJson(m.text);
  return { provider: 'dingtalk', messengerUserId: str(m.senderStaffId), text: str(text.content).trim(), sentAt: sentAt(Number(m.createAt)), raw: m };
}

export function messengerEventOf(p: StoredPayload, eventType: string): MessengerEvent {
  const m = p.message;
  const user = p.provider === 'wecom' ? str(m.FromUserName) : str(m.userId) || str(m.senderStaffId);
  return { provider: p.provider, type: eventType, messengerUserId: user || null, raw: m };
}
