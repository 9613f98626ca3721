// Fake WeCom group robots (reference W5): POST /cgi-bin/webhook/send?key=… (no access token).
// Checks what the real one does: the key must belong to a robot (93000 otherwise), msgtype must
// name the body's key, text ≤ 2048 B with mentioned_list as a list of userids, markdown ≤ 4096 B,
// image {base64, md5}: a JPG/PNG of at most 2 MB whose MD5 (of the bytes before base64) matches
// (301019 "media md5 not match" otherwise, 40009 too large, 40005 not an image),
// and the 21st message within 60 s (test clock) answers 45009. Faults scripted on the core
// (failNext / transientPaths) apply here too.
import crypto from 'node:crypto';
import type { FakeWecom } from './fake-wecom';
import { ok } from './fake-wecom';

export interface RobotDelivery {
  key: string;
  msgtype: string;
  content: string;
  mentioned: string[];
  at: number;
  /** msgtype image: the decoded picture. */
  image?: Buffer;
}

export interface WecomRobotsFake {
  /** Robot webhook keys that exist (add with addRobot). */
  robots: Map<string, { name: string }>;
  delivered: RobotDelivery[];
  addRobot(key: string, name?: string): void;
  /** Most messages any robot accepted within any 60 s window. */
  maxPerMinute(): number;
}

const PATH = '/cgi-bin/webhook/send';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const err = (errcode: number, errmsg: string) => ok({ errcode, errmsg });

export function installWecomRobots(fake: FakeWecom, opts: { perMinute?: number } = {}): WecomRobotsFake {
  const perMinute = opts.perMinute ?? 20;
  const state: WecomRobotsFake = {
    robots: new Map(),
    delivered: [],
    addRobot(key, name = key) {
      state.robots.set(key, { name });
    },
    maxPerMinute() {
      let max = 0;
      for (const key of state.robots.keys()) {
        const times = state.delivered.filter((d) => d.key === key).map((d) => d.at).sort((a, b) => a - b);
        for (let i = 0, j = 0; j < times.length; j++) {
          while (times[j] - times[i] >= 60_000) i++;
          max = Math.max(max, j - i + 1);
        }
      }
      return max;
    },
  };

  fake.on('POST', PATH, (req) => {
    const key = req.query.key;
    if (!key || !state.robots.has(key)) return err(93000, 'invalid webhook url');
    const fault = fake.fault(PATH);
    if (fault) return fault;
    const b = req.body;
    if (!b || typeof b !== 'object') return err(40035, 'invalid args');
    const m = b[b.msgtype];
    if (!m || typeof m !== 'object') return err(40008, 'invalid message type');
    let content: string;
    let mentioned: string[] = [];
    let image: Buffer | undefined;
    if (b.msgtype === 'text') {
      if (typeof m.content !== 'string' || !m.content) return err(44004, 'empty content');
      if (bytes(m.content) > 2048) return err(45002, 'content size out of limit');
      if (m.mentioned_list !== undefined && !(Array.isArray(m.mentioned_list) && m.mentioned_list.every((u: unknown) => typeof u === 'string'))) return err(40035, 'invalid args: mentioned_list');
      content = m.content;
      mentioned = m.mentioned_list ?? [];
    } else if (b.msgtype === 'markdown') {
      if (typeof m.content !== 'string' || !m.content) return err(44004, 'empty content');
      if (bytes(m.content) > 4096) return err(45002, 'content size out of limit');
      content = m.content;
      mentioned = [...m.content.matchAll(/<@([^>]+)>/g)].map((x: RegExpMatchArray) => x[1]);
    } else if (b.msgtype === 'image') {
      if (typeof m.base64 !== 'string' || !m.base64 || typeof m.md5 !== 'string' || !/^[0-9a-f]{32}$/i.test(m.md5)) return err(40035, 'invalid args: image.base64 and image.md5 are required');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(m.base64)) return err(40035, 'invalid args: image.base64 is not base64');
      image = Buffer.from(m.base64, 'base64');
      if (image.length > 2 * 1024 * 1024) return err(40009, 'invalid image size');
      const png = image.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const jpg = image[0] === 0xff && image[1] === 0xd8;
      if (!png && !jpg) return err(40005, 'invalid file type');
      if (crypto.createHash('md5').update(image).digest('hex') !== m.md5.toLowerCase()) return err(301019, 'media md5 not match');
      content = '';
    } else {
      return err(40008, 'invalid message type');
    }
    const now = fake.clock.ms;
    if (state.delivered.filter((d) => d.key === key && d.at > now - 60_000).length >= perMinute) return err(45009, 'api freq out of limit');
    state.delivered.push({ key, msgtype: b.msgtype, content, mentioned, at: now, ...(image ? { image } : {}) });
    return ok({ errcode: 0, errmsg: 'ok' });
  });
  return state;
}
