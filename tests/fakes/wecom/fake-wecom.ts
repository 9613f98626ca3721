// A fake WeCom (企业微信) server speaking the protocol of ../shared/docs/wecom-dingtalk.md (W1–W8),
// strict where the real one is: access tokens expire on a test clock (42001), unknown tokens
// answer 40014, a missing one 41001, bad corp credentials 40013/40001. Faults are scriptable per
// path (an errcode for the next N calls, a transient failure rate, 60020 untrusted IP).
// The protocol areas live in sibling files (oauth, jsapi, contacts, messages, callbacks) that
// install their routes on this core.
import crypto from 'node:crypto';
import { prng } from '../../../sql/seeds/demo';
import { FakeHttpServer, TestClock, type FakeHandler, type FakeRequest, type FakeResponse } from '../fake-http';

export interface WecomDept {
  id: number;
  name: string;
  parentid: number;
  order?: number;
  department_leader?: string[];
}

export interface WecomUser {
  userid: string;
  name: string;
  department: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  gender?: string;
  email?: string;
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  /** 1 active, 2 disabled, 4 not activated, 5 left */
  status?: number;
}

export interface FakeWecomOptions {
  corpId?: string;
  agentId?: number;
  secret?: string;
  callbackToken?: string;
  encodingAesKey?: string;
  /** Domain trusted for OAuth redirects (50001 otherwise). */
  trustedDomain?: string;
  clock?: TestClock;
}

export const FAKE_WECOM_DEFAULTS = {
  corpId: 'wwfakecorp0000001',
  agentId: 1000002,
  secret: 'fake-wecom-secret-0123456789abcdefghijklmnop',
  callbackToken: 'QDG6eK',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  trustedDomain: '127.0.0.1',
};

export class FakeWecom extends FakeHttpServer {
  readonly corp: Required<Omit<FakeWecomOptions, 'clock'>>;
  /** Issued access tokens → expiry (test-clock ms). */
  readonly tokens = new Map<string, number>();
  currentToken: string | null = null;
  readonly departments = new Map<number, WecomDept>();
  readonly users = new Map<string, WecomUser>();
  /** Scripted errcodes: path → queue of errcodes answered before the real handler runs. */
  readonly scripted = new Map<string, number[]>();
  /** Probability that a call to one of `transientPaths` answers errcode -1 instead. */
  transientRate = 0;
  transientPaths = new Set<string>();
  /** When true every token-authenticated call answers 60020 (server IP not in 企业可信IP). */
  ipNotTrusted = false;
  random = prng(42);

  constructor(opts: FakeWecomOptions = {}) {
    super(opts.clock ?? new TestClock());
    const { clock: _clock, ...rest } = opts;
    this.corp = { ...FAKE_WECOM_DEFAULTS, ...rest };
    this.departments.set(1, { id: 1, name: '测试金融', parentid: 0, order: 1 });
    this.on('GET', '/cgi-bin/gettoken', (req) => this.gettoken(req));
  }

  /** Answers `errcode` to the next `times` calls of `path`. */
  failNext(path: string, errcode: number, times = 1) {
    const q = this.scripted.get(path) ?? [];
    for (let i = 0; i < times; i++) q.push(errcode);
    this.scripted.set(path, q);
  }

  addUser(u: WecomUser) {
    this.users.set(u.userid, { status: 1, main_department: u.department[0], ...u });
    return this.users.get(u.userid)!;
  }

  /** Route that requires a valid access_token, then applies scripted faults. */
  onApi(method: string, path: string, handler: FakeHandler) {
    return this.on(method, path, async (req) => {
      const denied = this.checkToken(req);
      if (denied) return denied;
      const fault = this.fault(path);
      if (fault) return fault;
      return handler(req);
    });
  }

  checkToken(req: FakeRequest): FakeResponse | null {
    const t = req.query.access_token;
    if (!t) return ok({ errcode: 41001, errmsg: 'access_token missing' });
    const exp = this.tokens.get(t);
    if (exp === undefined) return ok({ errcode: 40014, errmsg: 'invalid access_token' });
    if (exp <= this.clock.ms) return ok({ errcode: 42001, errmsg: 'access_token expired' });
    if (this.ipNotTrusted) return ok({ errcode: 60020, errmsg: 'not allow to access from your ip' });
    return null;
  }

  fault(path: string): FakeResponse | null {
    const q = this.scripted.get(path);
    if (q?.length) {
      const errcode = q.shift()!;
      return ok({ errcode, errmsg: `scripted ${errcode}` });
    }
    if (this.transientPaths.has(path) && this.random() < this.transientRate) return ok({ errcode: -1, errmsg: 'system busy' });
    return null;
  }

  /** Revoke every token early (the real server may), so the next call sees 40014. */
  revokeTokens() {
    this.tokens.clear();
    this.currentToken = null;
  }

  private gettoken(req: FakeRequest): FakeResponse {
    const fault = this.fault('/cgi-bin/gettoken');
    if (fault) return fault;
    if (req.query.corpid !== this.corp.corpId) return ok({ errcode: 40013, errmsg: 'invalid corpid' });
    if (req.query.corpsecret !== this.corp.secret) return ok({ errcode: 40001, errmsg: 'invalid credential' });
    // Same token while valid (W1); a fresh one once it expired or was revoked.
    const cur = this.currentToken;
    if (cur && (this.tokens.get(cur) ?? 0) > this.clock.ms) {
      return ok({ errcode: 0, errmsg: 'ok', access_token: cur, expires_in: Math.floor(((this.tokens.get(cur) ?? 0) - this.clock.ms) / 1000) });
    }
    const token = crypto.randomBytes(48).toString('base64url'); // real tokens are long: store ≥ 512 B
    this.tokens.set(token, this.clock.ms + 7200_000);
    this.currentToken = token;
    return ok({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
  }
}

export const ok = (json: unknown): FakeResponse => ({ status: 200, json });
