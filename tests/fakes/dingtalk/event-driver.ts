// Plays DingTalk pushing to an HTTP event subscription URL (reference D7): POST `{"encrypt": …}`
// with `msg_signature`, `timestamp` (ms) and `nonce` in the query, encrypted like WeCom but for the
// AppKey. It checks the answer as DingTalk does: within 1.5 s, JSON `{msg_signature, timeStamp,
// nonce, encrypt}` whose signature verifies and whose plaintext is "success" for the AppKey.
// On saving the URL DingTalk pushes `{"EventType":"check_url"}` and fails the setup otherwise.
import crypto from 'node:crypto';
import request from 'supertest';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import type { FakeDingtalk } from './fake-dingtalk';

export const DINGTALK_CALLBACK_PATH = '/api/v1/callbacks/dingtalk';
/** check_url must be answered within this (else 71009); DingTalk treats every push the same way. */
export const DINGTALK_REPLY_DEADLINE_MS = 1_500;

export interface EventForgery {
  badSignature?: boolean;
  /** Encrypt for another id than the AppKey (e.g. the corp id of a legacy registration). */
  receiveId?: string;
  /** Milliseconds to sign with (default: now). */
  timestamp?: number;
  /** Legacy query names `signature` / `timeStamp`. */
  legacyParams?: boolean;
}

export interface EventAnswer {
  status: number;
  body: any;
  elapsedMs: number;
  /** The reply is the encrypted "success", verified, and came in time. */
  success: boolean;
  problem: string | null;
}

export class DingtalkEventDriver {
  readonly path: string;
  nowMs: () => number = () => Date.now();

  constructor(
    readonly fake: FakeDingtalk,
    readonly server: Parameters<typeof request>[0],
    opts: { path?: string } = {},
  ) {
    this.path = opts.path ?? DINGTALK_CALLBACK_PATH;
  }

  private get keys() {
    const a = this.fake.app;
    return { token: a.callbackToken, aesKey: a.callbackAesKey, appKey: a.clientId };
  }

  /** The query and body of one push. */
  envelope(event: unknown, f: EventForgery = {}) {
    const encrypted = encrypt(this.keys.aesKey, JSON.stringify(event), f.receiveId ?? this.keys.appKey);
    const timestamp = String(f.timestamp ?? this.nowMs());
    const nonce = crypto.randomBytes(6).toString('base64url');
    let signature = getSignature(this.keys.token, timestamp, nonce, encrypted);
    if (f.badSignature) signature = crypto.createHash('sha1').update(`forged${signature}`).digest('hex');
    const query: Record<string, string> = f.legacyParams ? { signature, timeStamp: timestamp, nonce } : { msg_signature: signature, timestamp, nonce };
    return { query, body: { encrypt: encrypted } };
  }

  async post(env: { query: Record<string, string>; body: unknown }): Promise<EventAnswer> {
    const started = Date.now();
    const res = await request(this.server).post(this.path).query(env.query).set('Content-Type', 'application/json').send(env.body as object);
    const elapsedMs = Date.now() - started;
    const problem = this.checkReply(res.status, res.body, elapsedMs);
    return { status: res.status, body: res.body, elapsedMs, success: problem === null, problem };
  }

  /** One push; `times` > 1 repeats it as DingTalk does when it got no valid answer. */
  async push(event: unknown, f: EventForgery & { times?: number } = {}): Promise<EventAnswer[]> {
    const env = this.envelope(event, f);
    const out: EventAnswer[] = [];
    for (let i = 0; i < (f.times ?? 1); i++) out.push(await this.post(env));
    return out;
  }

  /** What DingTalk sends when the admin saves the subscription URL. */
  async checkUrl(f: EventForgery = {}): Promise<EventAnswer> {
    return (await this.push({ EventType: 'check_url' }, f))[0];
  }

  private checkReply(status: number, body: any, elapsedMs: number): string | null {
    if (status !== 200) return `HTTP ${status}`;
    if (elapsedMs > DINGTALK_REPLY_DEADLINE_MS) return `answered after ${elapsedMs} ms`;
    if (!body || typeof body !== 'object') return 'reply is not JSON';
    const { msg_signature: sig, timeStamp: ts, nonce, encrypt: enc } = body;
    if (![sig, ts, nonce, enc].every((v) => typeof v === 'string' && v !== '')) return 'reply lacks msg_signature/timeStamp/nonce/encrypt';
    if (getSignature(this.keys.token, ts, nonce, enc) !== sig) return 'reply signature does not verify';
    let opened;
    try {
      opened = decrypt(this.keys.aesKey, enc);
    } catch {
      return 'reply does not decrypt';
    }
    if (opened.id !== this.keys.appKey) return `reply encrypted for ${opened.id}, not the AppKey`;
    if (opened.message !== 'success') return `reply says ${JSON.stringify(opened.message)}, not "success"`;
    return null;
  }
}
