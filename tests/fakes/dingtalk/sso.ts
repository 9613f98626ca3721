// DingTalk H5 免登 on the fake (reference D2). `mintAuthCode` is what the DingTalk client's
// requestAuthCode({corpId, clientId}) gives the page for the person using it; the server then
// calls `POST /topapi/v2/user/getuserinfo {code}`. Codes belong to one corp, work once and live
// 5 minutes; anything else answers errcode 40078 "不存在的临时授权码", as the real server does.
import crypto from 'node:crypto';
import { ok, type FakeDingtalk } from './fake-dingtalk';

export interface DingtalkSso {
  /** An auth code for `userid` (a member of the fake org), as requestAuthCode returns it. */
  mintAuthCode(userid: string, corpId?: string): string;
  readonly codes: Map<string, { userid: string; corpId: string; expiresAt: number; used: boolean }>;
}

const CODE_TTL_MS = 5 * 60_000;

export function installDingtalkSso(fake: FakeDingtalk): DingtalkSso {
  const codes: DingtalkSso['codes'] = new Map();
  const bad = () => ok({ errcode: 40078, errmsg: '不存在的临时授权码', request_id: crypto.randomUUID() });

  fake.onOapi('POST', '/topapi/v2/user/getuserinfo', (req) => {
    const code = req.body?.code;
    const issued = typeof code === 'string' ? codes.get(code) : undefined;
    if (!issued || issued.used || issued.expiresAt <= fake.clock.ms || issued.corpId !== fake.app.corpId) return bad();
    issued.used = true;
    const u = fake.users.get(issued.userid);
    if (!u) return bad();
    return ok({
      errcode: 0,
      errmsg: 'ok',
      request_id: crypto.randomUUID(),
      result: { userid: u.userid, unionid: u.unionid, associated_unionid: '', name: u.name, device_id: crypto.randomBytes(8).toString('hex'), sys: false, sys_level: 0 },
    });
  });

  return {
    codes,
    mintAuthCode(userid, corpId = fake.app.corpId) {
      if (!fake.users.has(userid)) throw new Error(`fake dingtalk: ${userid} is not a member (addUser first)`);
      const code = crypto.randomBytes(16).toString('hex');
      codes.set(code, { userid, corpId, expiresAt: fake.clock.ms + CODE_TTL_MS, used: false });
      return code;
    },
  };
}
