// What other modules hook into when a messenger calls us back: card button taps ('card_action'),
// text sent to the app or robot ('chat_message') and every other event ('event'). Events arrive
// normalised (one shape for WeCom and DingTalk, the CRM user already resolved); handlers run
// after the acknowledgement, at least once, so they must be idempotent.
import type { MessengerProvider } from '../messenger/messenger-error';

export interface CardActionEvent {
  provider: MessengerProvider;
  /** The CRM user who tapped (resolved from wecom_userid / dingtalk_userid; active users only). */
  userId: number;
  messengerUserId: string;
  /** WeCom: the button's EventKey. DingTalk: `params.key`, else the first action id. */
  key: string;
  /** WeCom template card task_id (null on DingTalk). */
  taskId: string | null;
  /** DingTalk card outTrackId (null on WeCom). */
  outTrackId: string | null;
  /** WeCom: the single-use code for update_template_card (applied for you from the result). */
  responseCode: string | null;
  /** DingTalk: cardPrivateData.params; WeCom: selected options by question key. */
  params: Record<string, unknown>;
  raw: Record<string, unknown>;
}

/** How the tapped card should change. */
export interface CardActionResult {
  /** Text replacing the buttons (WeCom button.replace_name; DingTalk cardParamMap.status unless cardData says otherwise). */
  replaceName?: string;
  /** DingTalk card params (strings) returned in the Stream ACK. */
  cardData?: Record<string, string>;
  /** WeCom: update the card of every recipient of the task, not only the tapper's. */
  forAll?: boolean;
}

export interface ChatMessageEvent {
  provider: MessengerProvider;
  /** Null when the sender is not a CRM user (or disabled). */
  userId: number | null;
  messengerUserId: string;
  text: string;
  /** When the sender sent it (WeCom CreateTime, DingTalk createAt). */
  sentAt: Date;
  raw: Record<string, unknown>;
}

/** A reply to the sender: a title line and a body (WeCom text, `<a href>` links allowed), or markdown where the channel renders it. */
export interface ChatReply {
  title: string;
  text: string;
  markdown?: string;
}

export interface MessengerEvent {
  provider: MessengerProvider;
  /** WeCom Event / MsgType, DingTalk EventType or Stream eventType. */
  type: string;
  messengerUserId: string | null;
  raw: Record<string, unknown>;
}

export interface CallbackHandlers {
  /** Return a result to claim the tap; return undefined when the key is not yours. */
  card_action: (e: CardActionEvent) => Promise<CardActionResult | undefined> | CardActionResult | undefined;
  /** Return a reply to claim the message; undefined when it is not for you. */
  chat_message: (e: ChatMessageEvent) => Promise<ChatReply | undefined> | ChatReply | undefined;
  event: (e: MessengerEvent) => Promise<void> | void;
}
export type CallbackKind = keyof CallbackHandlers;

export interface CallbackRegistry {
  /** Registers a handler; the same name registers once (a second call replaces it). Returns an unsubscribe. */
  on<K extends CallbackKind>(kind: K, name: string, handler: CallbackHandlers[K]): () => void;
  /** Handlers of a kind in registration order. */
  handlers<K extends CallbackKind>(kind: K): CallbackHandlers[K][];
}

export function createCallbackRegistry(): CallbackRegistry {
  const byKind = new Map<CallbackKind, Map<string, unknown>>();
  return {
    on(kind, name, handler) {
      const m = byKind.get(kind) ?? new Map<string, unknown>();
      byKind.set(kind, m);
      m.set(name, handler);
      return () => {
        if (m.get(name) === handler) m.delete(name);
      };
    },
    handlers<K extends CallbackKind>(kind: K) {
      return [...(byKind.get(kind)?.values() ?? [])] as CallbackHandlers[K][];
    },
  };
}
