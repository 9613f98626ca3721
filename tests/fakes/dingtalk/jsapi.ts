// DingTalk dd.config on the fake (reference D3): `GET /get_jsapi_ticket` (the same ticket until it
// expires, 7200 s on the test clock) and the check the DingTalk client makes: sha1 over ticket,
// nonce, timestamp and the page URL with its query URL-decoded and no fragment (the official
// demo's GetConfigHandler). Written independently of the server's signing code.
import crypto from 'node:crypto';
import { ok, type FakeDingtalk } from './fake-dingtalk';

export interface DingtalkSignature {
  timeStamp: number | string;
  nonceStr: string;
  signature: string;
}

export interface DingtalkJsapi {
  readonly tickets: Map<string, number>;
  fetches(): number;
  verifySignature(url: string, sig: DingtalkSignature): boolean;
}

const TTL_MS = 7200_000;

export function installDingtalkJsapi(fake: FakeDingtalk): DingtalkJsapi {
  const tickets = new Map<string, number>();
  let current: string | null = null;
  let answered = 0;

  fake.onOapi('GET', '/get_jsapi_ticket', () => {
    answered++;
    const exp = current ? tickets.get(current)! : 0;
    if (current && exp > fake.clock.ms) return ok({ errcode: 0, errmsg: 'ok', ticket: current, expires_in: Math.floor((exp - fake.clock.ms) / 1000) });
    current = crypto.randomBytes(32).toString('base64url');
    tickets.set(current, fake.clock.ms + TTL_MS);
    return ok({ errcode: 0, errmsg: 'ok', ticket: current, expires_in: TTL_MS / 1000 });
  });

  return {
    tickets,
    fetches: () => answered,
    verifySignature(url, sig) {
      const noFragment = url.split('#')[0];
      const [path, ...rest] = noFragment.split('?');
      let signed = path;
      if (rest.length > 0) {
        try {
          signed = `${path}?${decodeURIComponent(rest.join('?').replace(/\+/g, ' '))}`;
        } catch {
          return false;
        }
      }
      for (const [ticket, exp] of tickets) {
        if (exp <= fake.clock.ms) continue;
        const plain = `jsapi_ticket=${ticket}&noncestr=${sig.nonceStr}&timestamp=${sig.timeStamp}&url=${signed}`;
        if (crypto.createHash('sha1').update(plain).digest('hex') === sig.signature) return true;
      }
      return false;
    },
  };
}
