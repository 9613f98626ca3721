// Fake DingTalk custom group robots (reference D6): POST /robot/send?access_token=…&timestamp=…&sign=…
// A robot with a 加签 secret requires an ms timestamp within 1 h of the test clock and
// sign = base64(HmacSHA256(secret, timestamp + "\n" + secret)) (310000 otherwise); bodies are
// camelCase (snake_case keys are refused: 40035); the 21st message within 60 s answers 130101.
// An unknown access_token answers 300001 (code not in the reference: [unconfirmed]).
import crypto from 'node:crypto';
import type { FakeDingtalk } from './fake-dingtalk';
import { ok } from './fake-dingtalk';

export interface DingRobotDelivery {
  token: string;
  msgtype: string;
  title: string | null;
  text: string;
  atUserIds: string[];
  at: number;
}

export interface DingtalkRobotsFake {
  robots: Map<string, { secret: string | null; name: string }>;
  delivered: DingRobotDelivery[];
  addRobot(token: string, secret: string | null, name?: string): void;
  maxPerMinute(): number;
}

const PATH = '/robot/send';
const err = (errcode: number, errmsg: string) => ok({ errcode, errmsg });
const SNAKE = /_[a-z]/;

function hasSnakeKeys(o: unknown): boolean {
  if (!o || typeof o !== 'object') return false;
  return Object.entries(o as Record<string, unknown>).some(([k, v]) => SNAKE.test(k) || (v && typeof v === 'object' && !Array.isArray(v) && hasSnakeKeys(v)));
}

export function installDingtalkRobots(fake: FakeDingtalk, opts: { perMinute?: number } = {}): DingtalkRobotsFake {
  const perMinute = opts.perMinute ?? 20;
  const state: DingtalkRobotsFake = {
    robots: new Map(),
    delivered: [],
    addRobot(token, secret, name = token.slice(0, 8)) {
      state.robots.set(token, { secret, name });
    },
    maxPerMinute() {
      let max = 0;
      for (const token of state.robots.keys()) {
        const times = state.delivered.filter((d) => d.token === token).map((d) => d.at).sort((a, b) => a - b);
        for (let i = 0, j = 0; j < times.length; j++) {
          while (times[j] - times[i] >= 60_000) i++;
          max = Math.max(max, j - i + 1);
        }
      }
      return max;
    },
  };

  fake.on('POST', PATH, (req) => {
    const token = req.query.access_token;
    const robot = token ? state.robots.get(token) : undefined;
    if (!robot) return err(300001, 'token is not exist');
    const now = fake.clock.ms;
    if (robot.secret) {
      const ts = Number(req.query.timestamp);
      if (!req.query.timestamp || !Number.isInteger(ts) || Math.abs(now - ts) > 3_600_000) return err(310000, 'invalid timestamp');
      const expected = crypto.createHmac('sha256', robot.secret).update(`${ts}\n${robot.secret}`).digest('base64');
      if (req.query.sign !== expected) return err(310000, 'sign not match');
    }
    const q = fake.scripted.get(PATH);
    if (q?.length) {
      const f = q.shift()!;
      return err(typeof f === 'number' ? f : -1, 'scripted');
    }
    const b = req.body;
    if (!b || typeof b !== 'object' || typeof b.msgtype !== 'string') return err(40035, '缺少参数 msgtype');
    if (hasSnakeKeys(b)) return err(40035, '参数格式错误(应为驼峰命名)');
    const m = b[b.msgtype];
    let title: string | null = null;
    let text: string;
    if (b.msgtype === 'text' && typeof m?.content === 'string' && m.content) text = m.content;
    else if (b.msgtype === 'markdown' && typeof m?.title === 'string' && m.title && typeof m.text === 'string' && m.text) {
      title = m.title;
      text = m.text;
    } else if (b.msgtype === 'actionCard' && typeof m?.title === 'string' && typeof m.text === 'string') {
      title = m.title;
      text = m.text;
    } else return err(40035, `缺少参数 ${b.msgtype}`);
    if (b.at !== undefined && (typeof b.at !== 'object' || (b.at.atUserIds !== undefined && !Array.isArray(b.at.atUserIds)))) return err(40035, '参数错误 at');
    if (state.delivered.filter((d) => d.token === token && d.at > now - 60_000).length >= perMinute) return err(130101, 'send too fast, exceed 20 times per minute');
    state.delivered.push({ token: token!, msgtype: b.msgtype, title, text, atUserIds: b.at?.atUserIds ?? [], at: now });
    return ok({ errcode: 0, errmsg: 'ok' });
  });
  return state;
}
