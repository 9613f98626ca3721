// Plays WeCom calling our callback URL (reference W6): the URL verification GET with an encrypted
// echostr, and encrypted event POSTs in the XML envelope, signed and encrypted exactly as WeCom
// does (sha1 over the sorted token/timestamp/nonce/Encrypt; AES-256-CBC, PKCS#7 to 32 bytes,
// receive id = corp id). It can redeliver an event (WeCom tries 3 times), forge the signature,
// encrypt for another receive id or use an old timestamp, and it checks what WeCom checks of the
// answer: HTTP 200 within 5 s, and a passive reply (when there is a body) that verifies and
// decrypts. Card-button events carry a fresh ResponseCode registered with the fake (see cards.ts).
// Crypto comes straight from @wecom/crypto (checked against the reference vector), not from the
// server's modules, so a server bug cannot hide behind a shared one.
import crypto from 'node:crypto';
import request from 'supertest';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import type { FakeWecom } from './fake-wecom';
import { issueResponseCode } from './cards';

export const WECOM_CALLBACK_PATH = '/api/v1/callbacks/wecom';
/** WeCom drops an answer slower than this and retries. */
export const WECOM_REPLY_DEADLINE_MS = 5_000;

export interface Forgery {
  /** Send a signature that does not match. */
  badSignature?: boolean;
  /** Encrypt for this receive id instead of the corp id. */
  receiveId?: string;
  /** Unix seconds to sign with (default: now). */
  timestamp?: number;
}

export interface DriverAnswer {
  status: number;
  text: string;
  body: any;
  elapsedMs: number;
  /** Answered within WeCom's 5 s. */
  inTime: boolean;
  /** A passive reply, verified and decrypted; null when the body is empty. */
  passive: string | null;
  /** Why a non-empty body is not a valid passive reply. */
  passiveProblem: string | null;
}

type Fields = Record<string, string | number | Record<string, unknown>>;

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

function xmlBody(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([k, v]) => {
      if (Array.isArray(v)) return v.map((x) => xmlBody({ [k]: x })).join('');
      const inner = typeof v === 'number' ? String(v) : typeof v === 'string' ? cdata(v) : xmlBody(v as Record<string, unknown>);
      return `<${k}>${inner}</${k}>`;
    })
    .join('');
}

export function toXml(fields: Fields): string {
  return `<xml>${xmlBody(fields)}</xml>`;
}

let msgSeq = 0;

export class WecomCallbackDriver {
  readonly path: string;
  /** Unix seconds: WeCom signs with its own (real) clock, which our server compares with its own. */
  nowSec: () => number = () => Math.floor(Date.now() / 1000);

  constructor(
    readonly fake: FakeWecom,
    readonly server: Parameters<typeof request>[0],
    opts: { path?: string } = {},
  ) {
    this.path = opts.path ?? WECOM_CALLBACK_PATH;
  }

  private get keys() {
    const c = this.fake.corp;
    return { token: c.callbackToken, aesKey: c.encodingAesKey, corpId: c.corpId };
  }

  private sign(encrypted: string, f: Forgery) {
    const timestamp = String(f.timestamp ?? this.nowSec());
    const nonce = String(crypto.randomInt(1e9, 1e10));
    let signature = getSignature(this.keys.token, timestamp, nonce, encrypted);
    if (f.badSignature) signature = crypto.createHash('sha1').update(`forged${signature}`).digest('hex');
    return { msg_signature: signature, timestamp, nonce };
  }

  /** URL verification, as when the admin saves the callback settings. */
  async verifyUrl(f: Forgery & { echostr?: string } = {}) {
    const plain = f.echostr ?? `${crypto.randomInt(1e9, 2e9)}${crypto.randomInt(1e9, 2e9)}`;
    const echostr = encrypt(this.keys.aesKey, plain, f.receiveId ?? this.keys.corpId);
    const q = { ...this.sign(echostr, f), echostr };
    const started = Date.now();
    const res = await request(this.server).get(this.path).query(q);
    return { status: res.status, text: res.text, body: res.body, expected: plain, elapsedMs: Date.now() - started };
  }

  /** The signed envelope of one message (what one delivery POSTs). */
  envelope(fields: Fields, f: Forgery = {}) {
    const encrypted = encrypt(this.keys.aesKey, toXml(fields), f.receiveId ?? this.keys.corpId);
    const query = this.sign(encrypted, f);
    const body = `<xml><ToUserName>${cdata(this.keys.corpId)}</ToUserName><AgentID>${cdata(String(this.fake.corp.agentId))}</AgentID><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;
    return { query, body };
  }

  /** POSTs an envelope once and checks the answer the way WeCom does. */
  async post(env: { query: Record<string, string>; body: string }): Promise<DriverAnswer> {
    const started = Date.now();
    const res = await request(this.server).post(this.path).query(env.query).set('Content-Type', 'text/xml').send(env.body);
    const elapsedMs = Date.now() - started;
    const out: DriverAnswer = { status: res.status, text: res.text, body: res.body, elapsedMs, inTime: elapsedMs < WECOM_REPLY_DEADLINE_MS, passive: null, passiveProblem: null };
    if (res.status === 200 && res.text && res.text.trim() !== '' && res.text.trim() !== 'success') {
      try {
        out.passive = this.openPassive(res.text);
      } catch (err) {
        out.passiveProblem = (err as Error).message;
      }
    }
    return out;
  }

  /** Delivers a message `times` times with the same envelope (WeCom's retries). */
  async deliver(fields: Fields, opts: Forgery & { times?: number } = {}): Promise<DriverAnswer[]> {
    const env = this.envelope(fields, opts);
    const answers: DriverAnswer[] = [];
    for (let i = 0; i < (opts.times ?? 1); i++) answers.push(await this.post(env));
    return answers;
  }

  /** Verifies and decrypts a passive reply `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
  openPassive(xml: string): string {
    const field = (name: string) => {
      const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
      return m ? (m[1] ?? m[2] ?? '') : null;
    };
    const enc = field('Encrypt');
    const sig = field('MsgSignature');
    const ts = field('TimeStamp');
    const nonce = field('Nonce');
    if (!enc || !sig || !ts || !nonce) throw new Error('passive reply lacks Encrypt/MsgSignature/TimeStamp/Nonce');
    if (getSignature(this.keys.token, ts, nonce, enc) !== sig) throw new Error('passive reply signature does not verify');
    const opened = decrypt(this.keys.aesKey, enc);
    if (opened.id !== this.keys.corpId) throw new Error('passive reply encrypted for another receive id');
    return opened.message;
  }

  /** A button tap on a template card (template_card_event), with a fresh ResponseCode. */
  cardEvent(e: { from: string; eventKey: string; taskId: string; cardType?: string; createTime?: number }) {
    const responseCode = issueResponseCode(this.fake, { userids: [e.from], taskId: e.taskId });
    const fields: Fields = {
      ToUserName: this.keys.corpId,
      FromUserName: e.from,
      CreateTime: e.createTime ?? this.nowSec(),
      MsgType: 'event',
      Event: 'template_card_event',
      EventKey: e.eventKey,
      TaskId: e.taskId,
      CardType: e.cardType ?? 'button_interaction',
      ResponseCode: responseCode,
      AgentID: this.fake.corp.agentId,
    };
    return { fields, responseCode };
  }

  /** A text message a member sends to the app. */
  textMessage(e: { from: string; content: string; createTime?: number }): Fields {
    return {
      ToUserName: this.keys.corpId,
      FromUserName: e.from,
      CreateTime: e.createTime ?? this.nowSec(),
      MsgType: 'text',
      Content: e.content,
      MsgId: `${Date.now()}${String(++msgSeq).padStart(6, '0')}`,
      AgentID: this.fake.corp.agentId,
    };
  }
}
