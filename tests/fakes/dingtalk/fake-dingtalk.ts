// A fake DingTalk (钉钉) server for both API generations (reference D1–D7): the old oapi
// (`?access_token=`, errcode in an HTTP 200 body) and the new api (`x-acs-dingtalk-access-token`
// header, HTTP 4xx `{code, message}`), on one loopback port. Tokens expire on a test clock;
// unknown/expired tokens answer 40014 (oapi) or HTTP 400 InvalidAuthentication (new api).
// Protocol areas (sso, jsapi, contacts, notices, robot, cards/stream, event driver) live in
// sibling files that install their routes on this core.
import crypto from 'node:crypto';
import { prng } from '../../../sql/seeds/demo';
import { FakeHttpServer, TestClock, type FakeHandler, type FakeRequest, type FakeResponse } from '../fake-http';

export interface DingDept {
  dept_id: number;
  name: string;
  parent_id: number;
}

export interface DingUser {
  userid: string;
  unionid?: string;
  name: string;
  dept_id_list: number[];
  manager_userid?: string;
  leader_in_dept?: { dept_id: number; leader: boolean }[];
  mobile?: string;
  title?: string;
  active?: boolean;
}

export interface FakeDingtalkOptions {
  corpId?: string;
  agentId?: number;
  clientId?: string;
  clientSecret?: string;
  callbackToken?: string;
  callbackAesKey?: string;
  clock?: TestClock;
}

export const FAKE_DINGTALK_DEFAULTS = {
  corpId: 'dingfakecorp0000001',
  agentId: 3000001,
  clientId: 'dingfakeappkey0001',
  clientSecret: 'fake-dingtalk-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  callbackToken: 'fakeDingToken',
  callbackAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

export class FakeDingtalk extends FakeHttpServer {
  readonly app: Required<Omit<FakeDingtalkOptions, 'clock'>>;
  readonly tokens = new Map<string, number>();
  currentToken: string | null = null;
  readonly departments = new Map<number, DingDept>();
  readonly users = new Map<string, DingUser>();
  /** Scripted failures: path → queue of errcodes (oapi) or `{status, code}` (new api). */
  readonly scripted = new Map<string, (number | { status: number; code: string })[]>();
  transientRate = 0;
  transientPaths = new Set<string>();
  random = prng(7);

  constructor(opts: FakeDingtalkOptions = {}) {
    super(opts.clock ?? new TestClock());
    const { clock: _clock, ...rest } = opts;
    this.app = { ...FAKE_DINGTALK_DEFAULTS, ...rest };
    this.departments.set(1, { dept_id: 1, name: '测试金融', parent_id: 0 });
    this.on('GET', '/gettoken', (req) => this.gettoken(req));
    this.on('POST', '/v1.0/oauth2/accessToken', (req) => this.newAccessToken(req));
  }

  failNext(path: string, failure: number | { status: number; code: string }, times = 1) {
    const q = this.scripted.get(path) ?? [];
    for (let i = 0; i < times; i++) q.push(failure);
    this.scripted.set(path, q);
  }

  addUser(u: DingUser) {
    this.users.set(u.userid, { active: true, unionid: `union-${u.userid}`, ...u });
    return this.users.get(u.userid)!;
  }

  revokeTokens() {
    this.tokens.clear();
    this.currentToken = null;
  }

  /** Old API route (`?access_token=`): 40014 for a bad or expired token, then scripted faults. */
  onOapi(method: string, path: string, handler: FakeHandler) {
    return this.on(method, path, async (req) => {
      if (!this.tokenValid(req.query.access_token)) return ok({ errcode: 40014, errmsg: '不合法的access_token' });
      const q = this.scripted.get(path);
      if (q?.length) {
        const f = q.shift()!;
        return typeof f === 'number' ? ok({ errcode: f, errmsg: `scripted ${f}` }) : { status: f.status, json: { code: f.code, message: `scripted ${f.code}` } };
      }
      if (this.transientPaths.has(path) && this.random() < this.transientRate) return ok({ errcode: -1, errmsg: '系统繁忙' });
      return handler(req);
    });
  }

  /** New API route (header token): HTTP 400 InvalidAuthentication for a bad or expired token. */
  onApi(method: string, path: string, handler: FakeHandler) {
    return this.on(method, path, async (req) => {
      const token = req.headers['x-acs-dingtalk-access-token'];
      if (typeof token !== 'string' || !this.tokenValid(token)) {
        return { status: 400, json: { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: crypto.randomUUID() } };
      }
      const q = this.scripted.get(path);
      if (q?.length) {
        const f = q.shift()!;
        return typeof f === 'number' ? { status: 500, json: { code: 'SystemError', message: `scripted ${f}` } } : { status: f.status, json: { code: f.code, message: `scripted ${f.code}` } };
      }
      if (this.transientPaths.has(path) && this.random() < this.transientRate) return { status: 503, json: { code: 'ServiceUnavailable', message: '服务暂不可用' } };
      return handler(req);
    });
  }

  tokenValid(token: string | undefined) {
    if (!token) return false;
    const exp = this.tokens.get(token);
    return exp !== undefined && exp > this.clock.ms;
  }

  private issue() {
    const cur = this.currentToken;
    if (cur && (this.tokens.get(cur) ?? 0) > this.clock.ms) return { token: cur, expiresIn: Math.floor(((this.tokens.get(cur) ?? 0) - this.clock.ms) / 1000) };
    const token = crypto.randomBytes(16).toString('hex');
    this.tokens.set(token, this.clock.ms + 7200_000);
    this.currentToken = token;
    return { token, expiresIn: 7200 };
  }

  private gettoken(req: FakeRequest): FakeResponse {
    const q = this.scripted.get('/gettoken');
    if (q?.length) {
      const f = q.shift()!;
      return ok({ errcode: typeof f === 'number' ? f : -1, errmsg: 'scripted' });
    }
    if (req.query.appkey !== this.app.clientId || req.query.appsecret !== this.app.clientSecret) return ok({ errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
    const { token, expiresIn } = this.issue();
    return ok({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn });
  }

  private newAccessToken(req: FakeRequest): FakeResponse {
    // JSON only (ISS aliyun/alibabacloud-php-sdk#36).
    if (!String(req.headers['content-type'] ?? '').includes('application/json') || !req.body) {
      return { status: 400, json: { code: 'MissingappKey', message: 'appKey is mandatory for this action.' } };
    }
    if (req.body.appKey !== this.app.clientId || req.body.appSecret !== this.app.clientSecret) {
      return { status: 400, json: { code: 'InvalidAppKey', message: '应用不存在或密钥错误' } };
    }
    const { token, expiresIn } = this.issue();
    return { status: 200, json: { accessToken: token, expireIn: expiresIn } };
  }
}

export const ok = (json: unknown): FakeResponse => ({ status: 200, json });
