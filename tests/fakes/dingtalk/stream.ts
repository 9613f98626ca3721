// A fake DingTalk Stream gateway (reference D5), installed on a FakeDingtalk:
//  - `POST /v1.0/gateway/connections/open` checks clientId/clientSecret and the subscriptions,
//    needs `Accept: application/json` (otherwise the real gateway answers XML), and returns a
//    local `ws://` endpoint with a one-time ticket;
//  - a WebSocket server (package `ws`) that only accepts an unused, unexpired ticket and pushes
//    EVENT / CALLBACK frames for the topics the client subscribed to, and SYSTEM pings;
//  - ACK rules: same messageId, code 200, `data` a JSON string (`{status: SUCCESS|LATER}` for
//    EVENT); a ping must be echoed (same messageId and data). Anything else is recorded as a
//    violation and the frame stays un-ACKed; `redeliver()` pushes every un-ACKed frame again
//    with its messageId (the real gateway retries for about a minute);
//  - robot messages carry a `sessionWebhook` served here (`POST /robot/sendBySession`), which
//    needs a valid access token header and an unexpired session.
// Error codes of a refused handshake / session are not in our sources [unconfirmed].
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeRequest, FakeResponse } from '../fake-http';
import { ok, type FakeDingtalk } from './fake-dingtalk';

export const TOPIC_CARD = '/v1.0/card/instances/callback';
export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
const TICKET_TTL_MS = 5 * 60_000;
const SESSION_TTL_MS = 90 * 60_000;

// `ws` ships no types here; the few members used are declared locally.
interface WsSocket {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(ev: 'message', cb: (data: Buffer) => void): void;
  on(ev: 'close', cb: () => void): void;
}
interface WsServer {
  on(ev: 'connection', cb: (ws: WsSocket, req: IncomingMessage) => void): void;
  on(ev: 'listening', cb: () => void): void;
  address(): AddressInfo;
  close(cb?: () => void): void;
  clients: Set<WsSocket>;
}
type VerifyClient = (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string) => void) => void;
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (o: { host: string; port: number; verifyClient: VerifyClient }) => WsServer };

export interface Subscription {
  type: string;
  topic: string;
}

export interface StreamFrame {
  specVersion: string;
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: Record<string, string>;
  data: string;
}

export interface AckResult {
  messageId: string;
  acked: boolean;
  /** The ACK's data, parsed (null when none arrived or it was not JSON). */
  data: any;
  /** How many times the frame has been pushed. */
  deliveries: number;
  /** The ACK arrived but the gateway dropped it (network loss simulated). */
  dropped?: boolean;
}

interface Pending {
  frame: StreamFrame;
  deliveries: number;
  resolve?: (r: AckResult) => void;
  timer?: NodeJS.Timeout;
}

interface Conn {
  id: string;
  ws: WsSocket;
  subscriptions: Subscription[];
}

export interface StreamGateway {
  readonly handshakes: { clientId: string; status: number }[];
  readonly violations: string[];
  readonly sessionReplies: { userId: string; body: any }[];
  /** ACKs (by messageId) in arrival order, parsed data. */
  readonly acks: { messageId: string; data: any }[];
  /** Real milliseconds a push waits for its ACK. */
  ackTimeoutMs: number;
  /** Drop the next N ACKs as if lost on the way (the frames stay un-ACKed). */
  dropAcks: number;
  wsUrl(): string;
  connectionCount(): number;
  waitForConnection(timeoutMs?: number): Promise<void>;
  push(type: 'EVENT' | 'CALLBACK', topic: string, data: Record<string, unknown>, headers?: Record<string, string>): Promise<AckResult>;
  pushCardAction(a: { userId: string; outTrackId: string; actionId?: string; params?: Record<string, unknown> }): Promise<AckResult>;
  pushRobotText(m: { senderStaffId: string; content: string; senderNick?: string }): Promise<AckResult>;
  pushEvent(eventType: string, data: Record<string, unknown>): Promise<AckResult>;
  unacked(): StreamFrame[];
  redeliver(): Promise<AckResult[]>;
  ping(): Promise<boolean>;
  /** Closes every client socket (the client is expected to reconnect with a new ticket). */
  disconnectAll(): void;
  stop(): Promise<void>;
}

export async function installStream(fake: FakeDingtalk): Promise<StreamGateway> {
  const tickets = new Map<string, { subscriptions: Subscription[]; expiresAt: number; used: boolean }>();
  const sessions = new Map<string, { userId: string; expiresAt: number }>();
  const conns: Conn[] = [];
  const pending = new Map<string, Pending>();
  const pings = new Map<string, { data: string; resolve: (ok: boolean) => void }>();
  const violations: string[] = [];
  const acks: { messageId: string; data: any }[] = [];
  const handshakes: { clientId: string; status: number }[] = [];
  const sessionReplies: { userId: string; body: any }[] = [];

  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: ({ req }, cb) => {
      const ticket = new URL(req.url ?? '/', 'ws://fake').searchParams.get('ticket') ?? '';
      const t = tickets.get(ticket);
      if (!t || t.used || t.expiresAt <= fake.clock.ms) return cb(false, 401, 'invalid ticket');
      t.used = true;
      cb(true);
    },
  });
  await new Promise<void>((r) => wss.on('listening', r));
  const port = wss.address().port;

  wss.on('connection', (ws, req) => {
    const ticket = new URL(req.url ?? '/', 'ws://fake').searchParams.get('ticket') ?? '';
    const conn: Conn = { id: crypto.randomUUID(), ws, subscriptions: tickets.get(ticket)?.subscriptions ?? [] };
    conns.push(conn);
    ws.on('close', () => {
      const i = conns.indexOf(conn);
      if (i >= 0) conns.splice(i, 1);
    });
    ws.on('message', (raw) => onUpstream(raw.toString('utf8')));
  });

  function onUpstream(text: string) {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      violations.push(`upstream frame is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    const messageId = msg?.headers?.messageId;
    const ping = typeof messageId === 'string' ? pings.get(messageId) : undefined;
    if (ping) {
      pings.delete(messageId);
      const good = msg.code === 200 && msg.data === ping.data;
      if (!good) violations.push(`ping ${messageId} not echoed faithfully`);
      ping.resolve(good);
      return;
    }
    const p = typeof messageId === 'string' ? pending.get(messageId) : undefined;
    if (!p) {
      violations.push(`ACK for unknown messageId ${String(messageId)}`);
      return;
    }
    if (msg.code !== 200) {
      violations.push(`ACK ${messageId} with code ${msg.code}`);
      return;
    }
    let data: any;
    try {
      data = typeof msg.data === 'string' ? JSON.parse(msg.data) : undefined;
    } catch {
      data = undefined;
    }
    if (data === undefined || data === null || typeof data !== 'object') {
      violations.push(`ACK ${messageId} data is not a JSON string`);
      return;
    }
    if (p.frame.type === 'EVENT' && data.status !== 'SUCCESS' && data.status !== 'LATER') {
      violations.push(`EVENT ACK ${messageId} status ${data.status}`);
      return;
    }
    acks.push({ messageId, data });
    if (gw.dropAcks > 0) {
      gw.dropAcks--;
      settle(messageId, { messageId, acked: false, data, deliveries: p.deliveries, dropped: true }, false);
      return;
    }
    // LATER: the client asks for a redelivery.
    settle(messageId, { messageId, acked: data.status !== 'LATER', data, deliveries: p.deliveries }, data.status !== 'LATER');
  }

  function settle(messageId: string, r: AckResult, done: boolean) {
    const p = pending.get(messageId);
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    const resolve = p.resolve;
    p.resolve = undefined;
    if (done) pending.delete(messageId);
    resolve?.(r);
  }

  function current(): Conn {
    const c = conns.at(-1);
    if (!c) throw new Error('fake stream: no client connected');
    return c;
  }

  function deliver(p: Pending): Promise<AckResult> {
    const conn = current();
    p.deliveries++;
    return new Promise<AckResult>((resolve) => {
      p.resolve = resolve;
      p.timer = setTimeout(() => settle(p.frame.headers.messageId, { messageId: p.frame.headers.messageId, acked: false, data: null, deliveries: p.deliveries }, false), gw.ackTimeoutMs);
      conn.ws.send(JSON.stringify(p.frame));
    });
  }

  function frame(type: StreamFrame['type'], topic: string, data: unknown, extra: Record<string, string> = {}): StreamFrame {
    const conn = current();
    return {
      specVersion: '1.0',
      type,
      headers: { appId: fake.app.clientId, connectionId: conn.id, contentType: 'application/json', messageId: crypto.randomUUID(), time: String(fake.clock.ms), topic, ...extra },
      data: JSON.stringify(data),
    };
  }

  fake.on('POST', '/v1.0/gateway/connections/open', (req: FakeRequest): FakeResponse => {
    const b = req.body;
    const clientId = typeof b?.clientId === 'string' ? b.clientId : '';
    const answer = (status: number, json: unknown): FakeResponse => {
      handshakes.push({ clientId, status });
      return { status, json };
    };
    if (!String(req.headers.accept ?? '').includes('application/json')) {
      handshakes.push({ clientId, status: 200 });
      return { status: 200, text: '<?xml version="1.0" encoding="UTF-8"?><OpenConnectionResponse><endpoint/></OpenConnectionResponse>' };
    }
    if (!b || typeof b !== 'object') return answer(400, { code: 'InvalidParameter', message: 'body must be JSON' });
    if (b.clientId !== fake.app.clientId || b.clientSecret !== fake.app.clientSecret) return answer(401, { code: 'InvalidAuthentication', message: 'clientId or clientSecret invalid' });
    const subs = b.subscriptions;
    if (!Array.isArray(subs) || subs.length === 0 || !subs.every((s: any) => (s?.type === 'EVENT' || s?.type === 'CALLBACK') && typeof s.topic === 'string' && s.topic !== '')) {
      return answer(400, { code: 'InvalidParameter', message: 'subscriptions must list {type: EVENT|CALLBACK, topic}' });
    }
    const ticket = crypto.randomBytes(18).toString('hex');
    tickets.set(ticket, { subscriptions: subs.map((s: Subscription) => ({ type: s.type, topic: s.topic })), expiresAt: fake.clock.ms + TICKET_TTL_MS, used: false });
    return answer(200, { endpoint: `ws://127.0.0.1:${port}/connect`, ticket });
  });

  fake.on('POST', '/robot/sendBySession', (req) => {
    const token = req.headers['x-acs-dingtalk-access-token'];
    if (typeof token !== 'string' || !fake.tokenValid(token)) return ok({ errcode: 40014, errmsg: '不合法的access_token' });
    const s = sessions.get(req.query.session ?? '');
    if (!s || s.expiresAt <= fake.clock.ms) return ok({ errcode: 300001, errmsg: 'session 不存在或已过期' });
    const b = req.body;
    const kind = b?.msgtype;
    const part = kind ? b[kind] : undefined;
    const valid =
      (kind === 'text' && typeof part?.content === 'string' && part.content !== '') ||
      (kind === 'markdown' && typeof part?.title === 'string' && part.title !== '' && typeof part?.text === 'string' && part.text !== '');
    if (!valid) return ok({ errcode: 300005, errmsg: 'msgtype and its content do not match' });
    sessionReplies.push({ userId: s.userId, body: b });
    return ok({ errcode: 0, errmsg: 'ok' });
  });

  const gw: StreamGateway = {
    handshakes,
    violations,
    sessionReplies,
    acks,
    ackTimeoutMs: 2_000,
    dropAcks: 0,
    wsUrl: () => `ws://127.0.0.1:${port}/connect`,
    connectionCount: () => conns.length,
    async waitForConnection(timeoutMs = 3_000) {
      const until = Date.now() + timeoutMs;
      while (conns.length === 0) {
        if (Date.now() > until) throw new Error('fake stream: no client connected in time');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    push(type, topic, data, headers = {}) {
      const conn = current();
      if (!conn.subscriptions.some((s) => s.type === type && (s.topic === topic || (type === 'EVENT' && s.topic === '*')))) {
        throw new Error(`fake stream: the client did not subscribe to ${type} ${topic}`);
      }
      const p: Pending = { frame: frame(type, topic, data, headers), deliveries: 0 };
      pending.set(p.frame.headers.messageId, p);
      return deliver(p);
    },
    pushCardAction(a) {
      const content = JSON.stringify({ cardPrivateData: { actionIds: [a.actionId ?? 'button'], params: a.params ?? {} } });
      return gw.push('CALLBACK', TOPIC_CARD, {
        extension: '{}',
        corpId: fake.app.corpId,
        spaceType: 'IM_ROBOT',
        userIdType: 1,
        type: 'actionCallback',
        userId: a.userId,
        content,
        spaceId: `dtv1.card//IM_ROBOT.${a.userId}`,
        outTrackId: a.outTrackId,
        value: content,
      });
    },
    pushRobotText(m) {
      const session = crypto.randomBytes(12).toString('hex');
      const expiresAt = fake.clock.ms + SESSION_TTL_MS;
      sessions.set(session, { userId: m.senderStaffId, expiresAt });
      return gw.push('CALLBACK', TOPIC_ROBOT, {
        conversationId: `cid${crypto.randomBytes(8).toString('hex')}`,
        chatbotCorpId: fake.app.corpId,
        chatbotUserId: `$:LWCP_v1:$${fake.app.clientId}`,
        msgId: `msg${crypto.randomBytes(10).toString('hex')}`,
        senderNick: m.senderNick ?? m.senderStaffId,
        isAdmin: false,
        senderStaffId: m.senderStaffId,
        sessionWebhookExpiredTime: expiresAt,
        createAt: fake.clock.ms,
        senderCorpId: fake.app.corpId,
        conversationType: '1',
        senderId: `$:LWCP_v1:$${m.senderStaffId}`,
        sessionWebhook: `${fake.url}/robot/sendBySession?session=${session}`,
        text: { content: m.content },
        robotCode: fake.app.clientId,
        msgtype: 'text',
      });
    },
    pushEvent(eventType, data) {
      return gw.push('EVENT', eventType, data, {
        eventType,
        eventId: crypto.randomBytes(12).toString('hex'),
        eventBornTime: String(fake.clock.ms),
        eventCorpId: fake.app.corpId,
        eventUnifiedAppId: fake.app.clientId,
      });
    },
    unacked: () => [...pending.values()].map((p) => p.frame),
    redeliver() {
      return Promise.all([...pending.values()].map((p) => deliver(p)));
    },
    ping() {
      const f = frame('SYSTEM', 'ping', { opaque: crypto.randomUUID() });
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          pings.delete(f.headers.messageId);
          violations.push(`ping ${f.headers.messageId} not echoed`);
          resolve(false);
        }, gw.ackTimeoutMs);
        pings.set(f.headers.messageId, {
          data: f.data,
          resolve: (okay) => {
            clearTimeout(timer);
            resolve(okay);
          },
        });
        current().ws.send(JSON.stringify(f));
      });
    },
    disconnectAll() {
      for (const c of [...conns]) c.ws.close(1001, 'going away');
    },
    async stop() {
      for (const p of pending.values()) if (p.timer) clearTimeout(p.timer);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
  return gw;
}
