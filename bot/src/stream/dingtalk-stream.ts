// DingTalk Stream mode (reference D5): one WebSocket to DingTalk's gateway instead of a public
// callback URL. Card button taps (TOPIC_CARD) are handled before the ACK, because the ACK carries
// the card's new data; robot messages (TOPIC_ROBOT) and events are stored and ACKed at once and
// handled after. Everything goes through deps.callbacks, so a redelivered frame (un-ACKed frames
// come back within about a minute) reaches its handler once, and a redelivered card tap is
// answered with the decision already taken.
//
// The dingtalk-stream SDK's DWClient hard-codes the gateway (api.dingtalk.com) in getEndpoint();
// CrmStreamClient overrides it to use DINGTALK_API_BASE (so tests reach the fake), overrides
// connect() to retry with back-off instead of every second forever, and acknowledges EVENT frames
// only after storing them. The SDK keeps the socket, ping echo and reconnect-on-close.
import axios from 'axios';
import { DWClient, TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type { Deps } from '../../../server/src/deps';
import { classifyStreamCard, classifyStreamEvent, classifyStreamRobot } from '../../../server/src/modules/callbacks/callback-events';
import { dingtalkCardParams } from '../../../server/src/modules/callbacks/callback.service';
import { registerChatCommands } from '../../../server/src/modules/callbacks/commands';
import { createCustomerService } from '../../../server/src/modules/customers/customer.service';

export const GATEWAY_PATH = '/v1.0/gateway/connections/open';

export class StreamHandshakeError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`DingTalk Stream handshake failed: HTTP ${status} ${code} ${message}`.trim());
  }
}

export interface CrmStreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** `${DINGTALK_API_BASE}/v1.0/gateway/connections/open`. */
  gatewayUrl: string;
  log: Logger;
  keepAlive?: boolean;
  /** Back-off after failed connects: first delay and cap (ms). */
  retryMs?: { first: number; max: number };
}

export class CrmStreamClient extends DWClient {
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connectedOnce!: () => void;
  /** Resolves at the first successful connection. */
  readonly ready: Promise<void>;
  lastError: Error | null = null;

  constructor(private readonly opts: CrmStreamClientOptions) {
    super({ clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: opts.keepAlive ?? true, ua: 'xindai-crm' });
    this.ready = new Promise((r) => (this.connectedOnce = r));
  }

  override async getEndpoint(): Promise<this> {
    const res = await axios.post(
      this.opts.gatewayUrl,
      { clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: this.config.ua, subscriptions: this.config.subscriptions },
      { headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, timeout: 10_000, validateStatus: () => true },
    );
    const data = res.data as { endpoint?: string; ticket?: string; code?: string; message?: string } | string;
    if (res.status !== 200 || typeof data !== 'object' || !data?.endpoint || !data.ticket) {
      const d = typeof data === 'object' ? data : {};
      throw new StreamHandshakeError(res.status, d?.code ?? '', d?.message ?? 'no endpoint/ticket in the answer');
    }
    // dw_url is private in the SDK's typings; it is the URL _connect() opens.
    (this as unknown as { dw_url: string }).dw_url = `${data.endpoint}?ticket=${encodeURIComponent(data.ticket)}`;
    return this;
  }

  override async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.getEndpoint();
      await this._connect();
      this.failures = 0;
      this.lastError = null;
      this.opts.log.info('dingtalk stream connected');
      this.connectedOnce();
    } catch (err) {
      this.lastError = err as Error;
      const { first, max } = this.opts.retryMs ?? { first: 1_000, max: 60_000 };
      const delay = Math.min(max, first * 2 ** this.failures++);
      this.opts.log.error({ err, retryInMs: delay }, 'dingtalk stream connect failed');
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.connect(), delay);
    }
  }

  /** EVENT frames: ACKed by the listener set with onEventFrame (after storing), not synchronously. */
  eventListener: ((m: DWClientDownStream) => Promise<'SUCCESS' | 'LATER'>) | null = null;

  override onEvent(message: DWClientDownStream): void {
    const listener = this.eventListener;
    if (!listener) return super.onEvent(message);
    void listener(message)
      .catch(() => 'LATER' as const)
      .then((status) => this.send(message.headers.messageId, { status }));
  }

  stop() {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.disconnect();
  }
}

export interface DingtalkStream {
  client: CrmStreamClient;
  stop(): void;
}

function parseData(m: DWClientDownStream): Record<string, unknown> | null {
  try {
    const d = JSON.parse(m.data);
    return d && typeof d === 'object' && !Array.isArray(d) ? d : null;
  } catch {
    return null;
  }
}

/**
 * Starts the Stream listener when DingTalk is configured with DINGTALK_STREAM=true; null otherwise.
 * The connection is opened in the background (retried with back-off); `client.ready` resolves once up.
 */
export function startDingtalkStream(deps: Deps, opts: { keepAlive?: boolean; retryMs?: { first: number; max: number } } = {}): DingtalkStream | null {
  const cfg = deps.config.dingtalk;
  if (!cfg?.stream) return null;
  const log = deps.log.child({ module: 'dingtalk-stream' });
  const { callbacks } = deps;
  registerChatCommands(deps, createCustomerService(deps));

  const client = new CrmStreamClient({ clientId: cfg.clientId, clientSecret: cfg.clientSecret, gatewayUrl: `${cfg.apiBase}${GATEWAY_PATH}`, log, keepAlive: opts.keepAlive, retryMs: opts.retryMs });

  // Card taps: decide, then ACK with the card's new data. No ACK when the event could not be
  // decided yet (busy elsewhere, or failed and due again): DingTalk redelivers it.
  client.registerCallbackListener(TOPIC_CARD, (m) => {
    void (async () => {
      const data = parseData(m);
      if (!data) {
        log.warn({ messageId: m.headers.messageId }, 'card callback without JSON data; acknowledged');
        return client.socketCallBackResponse(m.headers.messageId, {});
      }
      const r = await callbacks.handleNow('stream', classifyStreamCard(data), { provider: 'dingtalk', message: data });
      if (r.status === 'busy' || r.status === 'received') return;
      const cardParamMap = dingtalkCardParams(r.card);
      client.socketCallBackResponse(m.headers.messageId, Object.keys(cardParamMap).length ? { cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap } } : {});
    })().catch((err) => log.error({ err, messageId: m.headers.messageId }, 'card callback failed; left for redelivery'));
  });

  // Robot messages: stored, ACKed, answered after through the message's session webhook.
  client.registerCallbackListener(TOPIC_ROBOT, (m) => {
    void (async () => {
      const data = parseData(m);
      if (data) await callbacks.accept('stream', classifyStreamRobot(data, m.headers.messageId), { provider: 'dingtalk', message: data });
      client.socketCallBackResponse(m.headers.messageId, {});
    })().catch((err) => log.error({ err, messageId: m.headers.messageId }, 'robot message not stored; left for redelivery'));
  });

  client.eventListener = async (m) => {
    const data = parseData(m) ?? {};
    await callbacks.accept('stream', classifyStreamEvent(m.headers as unknown as Record<string, unknown>), { provider: 'dingtalk', message: { ...data, headers: m.headers } });
    return 'SUCCESS';
  };

  void client.connect();
  return { client, stop: () => client.stop() };
}
