// WeCom JS-SDK tickets on the fake (reference W3): the corp jsapi_ticket (wx.config) and the
// agent_config ticket (wx.agentConfig), each the same until it expires (7200 s on the test
// clock) and capped at 100 fetches per hour per app (45009 beyond), plus the check the WeCom
// client makes: recompute sha1 over ticket, nonce, timestamp and the page URL minus `#…`, with
// the page on the app's trusted domain. Written independently of the server's signing code.
import crypto from 'node:crypto';
import type { FakeRequest, FakeResponse } from '../fake-http';
import { ok, type FakeWecom } from './fake-wecom';

export type WecomTicketKind = 'corp' | 'agent';

export interface WecomSignature {
  timestamp: number | string;
  nonceStr: string;
  signature: string;
}

export interface WecomJsapi {
  /** Tickets issued per kind → expiry (test-clock ms). */
  readonly tickets: Record<WecomTicketKind, Map<string, number>>;
  /** Ticket fetches answered so far, per kind. */
  fetches(kind: WecomTicketKind): number;
  /** True when `sig` is what the WeCom client expects for `url` with a live ticket of `kind`. */
  verifySignature(kind: WecomTicketKind, url: string, sig: WecomSignature): boolean;
}

const TTL_MS = 7200_000;
const HOURLY_CAP = 100;
const PATHS: Record<WecomTicketKind, string> = { corp: '/cgi-bin/get_jsapi_ticket', agent: '/cgi-bin/ticket/get' };

export function installWecomJsapi(fake: FakeWecom): WecomJsapi {
  const tickets: Record<WecomTicketKind, Map<string, number>> = { corp: new Map(), agent: new Map() };
  const current: Record<WecomTicketKind, string | null> = { corp: null, agent: null };
  const answered: Record<WecomTicketKind, number> = { corp: 0, agent: 0 };

  function issue(kind: WecomTicketKind): FakeResponse {
    // The call being answered is already in the log: more than 100 in the last hour is over the cap.
    if (fake.count(PATHS[kind], 3600_000) > HOURLY_CAP) return ok({ errcode: 45009, errmsg: 'api freq out of limit' });
    answered[kind]++;
    const cur = current[kind];
    const exp = cur ? tickets[kind].get(cur)! : 0;
    if (cur && exp > fake.clock.ms) return ok({ errcode: 0, errmsg: 'ok', ticket: cur, expires_in: Math.floor((exp - fake.clock.ms) / 1000) });
    const ticket = `${kind === 'corp' ? 'sM4AOVdWfPE4DxkXGEs8V' : 'bxLdikRXVbTPdHSM05e5u'}${crypto.randomBytes(24).toString('base64url')}`;
    tickets[kind].set(ticket, fake.clock.ms + TTL_MS);
    current[kind] = ticket;
    return ok({ errcode: 0, errmsg: 'ok', ticket, expires_in: TTL_MS / 1000 });
  }

  fake.onApi('GET', PATHS.corp, () => issue('corp'));
  fake.onApi('GET', PATHS.agent, (req: FakeRequest) => {
    if (req.query.type !== 'agent_config') return ok({ errcode: 40058, errmsg: 'invalid type, expected agent_config' });
    return issue('agent');
  });

  return {
    tickets,
    fetches: (kind) => answered[kind],
    verifySignature(kind, url, sig) {
      const hash = url.indexOf('#');
      const page = hash === -1 ? url : url.slice(0, hash);
      let host: string;
      try {
        host = new URL(page).hostname;
      } catch {
        return false;
      }
      if (host !== fake.corp.trustedDomain.split(':')[0]) return false;
      for (const [ticket, exp] of tickets[kind]) {
        if (exp <= fake.clock.ms) continue;
        const plain = `jsapi_ticket=${ticket}&noncestr=${sig.nonceStr}&timestamp=${sig.timestamp}&url=${page}`;
        if (crypto.createHash('sha1').update(plain).digest('hex') === sig.signature) return true;
      }
      return false;
    },
  };
}
