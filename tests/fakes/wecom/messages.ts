// Fake WeCom app messages (reference W4, W7): POST /cgi-bin/message/send, strict where the real
// server is:
//   - agentid must be the app's, as a JSON number (40056); at least one target (82001)
//   - msgtype must name the body's key (40008); text/markdown ≤ 2048 B and not empty (44004/45002)
//   - textcard: title ≤ 128 B, description ≤ 512 B, url required, btntxt ≤ 4 characters
//   - template_card: known card_type, task_id ≤ 128 B of [0-9A-Za-z_-@] and unique per app,
//     1..6 buttons: type 0 (callback, the default) needs a key, unique within the card; type 1
//     (link) needs an http(s) url; card_action required for text_notice
//   - unknown userids come back in `invaliduser`; none valid → 81013
//   - response_code only for interactive cards, issued through cards.ts (one registry per fake),
//     so update_template_card (served by cards.ts alone) accepts it once within 72 h
//   - past 30 messages per member per minute (1,000 per hour) deliveries are dropped SILENTLY,
//     recorded in `dropped` so a test can prove the dispatcher never caused one
//   - enable_duplicate_check: the same content to the same member within the interval is not
//     delivered again (recorded in `duplicates`)
// Codes not named in the reference (bad task_id, bad card) answer 40035 "invalid args".
import crypto from 'node:crypto';
import type { FakeWecom } from './fake-wecom';
import { ok } from './fake-wecom';
import { installWecomCards, type CardUpdate } from './cards';

export interface WecomDelivery {
  recipient: string;
  msgtype: string;
  content: any;
  at: number;
  msgid: string;
  taskId?: string;
}

export interface IssuedCard {
  responseCode: string;
  taskId: string;
  userids: string[];
  issuedAt: number;
  used: boolean;
}

export interface WecomMessagesFake {
  delivered: WecomDelivery[];
  dropped: WecomDelivery[];
  duplicates: WecomDelivery[];
  /** Response codes issued with interactive cards sent here (a view of cards.ts's registry). */
  readonly cards: Map<string, IssuedCard>;
  /** Accepted update_template_card calls (cards.ts's list: codes of sent cards and of taps). */
  readonly updates: CardUpdate[];
  /** Process the next n sends fully, then answer HTTP 502 (the answer is lost on the way back). */
  loseAnswerNext(n: number): void;
  /** Real-time delay before each answer (after the delivery happened), e.g. to kill a sender mid-call. */
  answerDelayMs: number;
  /** Called for each delivery as it happens. */
  onDelivered: ((d: WecomDelivery) => void) | null;
  deliveredTo(userid: string): WecomDelivery[];
  /** Most deliveries any member got within any 60 s window (on the test clock). */
  maxPerMemberPerMinute(): number;
}

const INTERACTIVE = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);
const CARD_TYPES = new Set(['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction']);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const err = (errcode: number, errmsg: string) => ok({ errcode, errmsg });

/** Returns an error answer for a malformed body, or null. */
function validate(body: any, agentId: number): ReturnType<typeof err> | null {
  if (!body || typeof body !== 'object') return err(47001, 'data format error');
  if (typeof body.agentid !== 'number' || !Number.isInteger(body.agentid) || body.agentid !== agentId) return err(40056, 'invalid agentid');
  const targets = ['touser', 'toparty', 'totag'].map((k) => (typeof body[k] === 'string' ? body[k] : ''));
  if (targets.every((t) => t === '')) return err(82001, 'All touser & toparty & totag invalid');
  if (targets[0] !== '@all' && targets[0].split('|').filter(Boolean).length > 1000) return err(40035, 'invalid args: touser exceeds 1000');
  const type = body.msgtype;
  const m = body[type];
  if (typeof type !== 'string' || !m || typeof m !== 'object') return err(40008, 'invalid message type');
  if (body.enable_duplicate_check !== undefined && body.enable_duplicate_check !== 0 && body.enable_duplicate_check !== 1) return err(40035, 'invalid args: enable_duplicate_check');
  if (body.duplicate_check_interval !== undefined && !(Number.isInteger(body.duplicate_check_interval) && body.duplicate_check_interval > 0 && body.duplicate_check_interval <= 14400)) {
    return err(40035, 'invalid args: duplicate_check_interval');
  }
  switch (type) {
    case 'text':
    case 'markdown':
      if (typeof m.content !== 'string' || m.content === '') return err(44004, 'empty content');
      if (bytes(m.content) > 2048) return err(45002, 'content size out of limit');
      return null;
    case 'textcard':
      if (typeof m.title !== 'string' || !m.title || typeof m.description !== 'string' || !m.description) return err(44004, 'empty content');
      if (bytes(m.title) > 128 || bytes(m.description) > 512) return err(45002, 'content size out of limit');
      if (typeof m.url !== 'string' || !/^https?:\/\//.test(m.url)) return err(40066, 'invalid url');
      if (m.btntxt !== undefined && [...String(m.btntxt)].length > 4) return err(40035, 'invalid args: btntxt exceeds 4 chars');
      return null;
    case 'template_card': {
      if (!CARD_TYPES.has(m.card_type)) return err(40035, 'invalid args: card_type');
      if (!m.main_title?.title && !m.sub_title_text) return err(44004, 'empty content');
      if (m.card_type === 'text_notice' && !m.card_action) return err(40035, 'invalid args: card_action required');
      const needsTask = INTERACTIVE.has(m.card_type) || !!m.action_menu;
      if (needsTask || m.task_id !== undefined) {
        if (typeof m.task_id !== 'string' || !/^[0-9A-Za-z_\-@]+$/.test(m.task_id) || bytes(m.task_id) > 128) return err(40035, 'invalid args: task_id');
      }
      if (m.card_type === 'button_interaction') {
        const list = m.button_list;
        if (!Array.isArray(list) || list.length < 1 || list.length > 6) return err(40035, 'invalid args: button_list');
        const keys: string[] = [];
        for (const b of list) {
          if (typeof b?.text !== 'string' || !b.text) return err(40035, 'invalid args: button');
          if (b.type !== undefined && b.type !== 0 && b.type !== 1) return err(40035, 'invalid args: button type');
          if (b.type === 1) {
            if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) return err(40035, 'invalid args: button url');
          } else if (typeof b.key !== 'string' || !b.key || bytes(b.key) > 1024) return err(40035, 'invalid args: button key');
          if (b.style !== undefined && !(Number.isInteger(b.style) && b.style >= 1 && b.style <= 4)) return err(40035, 'invalid args: button style');
          if (typeof b.key === 'string' && b.key) keys.push(b.key);
        }
        if (new Set(keys).size !== keys.length) return err(40035, 'invalid args: duplicate button key');
      }
      return null;
    }
    case 'news':
      if (!Array.isArray(m.articles) || m.articles.length < 1 || m.articles.length > 8) return err(40035, 'invalid args: articles');
      return null;
    default:
      return err(40008, 'invalid message type');
  }
}

export function installMessages(fake: FakeWecom, opts: { perMinute?: number; perHour?: number } = {}): WecomMessagesFake {
  const perMinute = opts.perMinute ?? 30;
  const perHour = opts.perHour ?? 1000;
  const taskIds = new Set<string>();
  /** Last delivery time per (member, content hash), for the duplicate check. */
  const lastContent = new Map<string, number>();
  let loseAnswers = 0;
  const cardsFake = installWecomCards(fake);
  /** Response codes this fake issued with sent cards. */
  const sentCodes = new Set<string>();
  const state: WecomMessagesFake = {
    delivered: [],
    dropped: [],
    duplicates: [],
    get cards() {
      const out = new Map<string, IssuedCard>();
      for (const code of sentCodes) {
        const i = cardsFake.responseCodes.get(code)!;
        out.set(code, { responseCode: code, taskId: i.taskId ?? '', userids: i.userids, issuedAt: i.issuedAt, used: i.usedAt !== null });
      }
      return out;
    },
    get updates() {
      return cardsFake.updates;
    },
    loseAnswerNext(n) {
      loseAnswers += n;
    },
    answerDelayMs: 0,
    onDelivered: null,
    deliveredTo: (userid) => state.delivered.filter((d) => d.recipient === userid),
    maxPerMemberPerMinute() {
      let max = 0;
      const byUser = new Map<string, number[]>();
      for (const d of state.delivered) byUser.set(d.recipient, [...(byUser.get(d.recipient) ?? []), d.at]);
      for (const times of byUser.values()) {
        times.sort((a, b) => a - b);
        for (let i = 0, j = 0; j < times.length; j++) {
          while (times[j] - times[i] >= 60_000) i++;
          max = Math.max(max, j - i + 1);
        }
      }
      return max;
    },
  };

  /** Times of messages each member received (delivered or dropped: both count against the cap). */
  const receivedAt = new Map<string, number[]>();
  const received = (userid: string, since: number) => (receivedAt.get(userid) ?? []).filter((at) => at > since).length;

  fake.onApi('POST', '/cgi-bin/message/send', (req) => {
    const body = req.body;
    const bad = validate(body, fake.corp.agentId);
    if (bad) return bad;
    const now = fake.clock.ms;
    const type: string = body.msgtype;
    const content = body[type];
    const users = String(body.touser ?? '').split('|').filter(Boolean);
    const targets = body.touser === '@all' ? [...fake.users.keys()] : users;
    const valid = targets.filter((u) => fake.users.get(u)?.status === 1);
    const invalid = targets.filter((u) => fake.users.get(u)?.status !== 1);
    if (valid.length === 0 && !body.toparty && !body.totag) return err(81013, 'user & party & tag all invalid');

    const hash = crypto.createHash('sha256').update(`${type}\n${JSON.stringify(content)}`).digest('hex');
    const interval = (body.duplicate_check_interval ?? 1800) * 1000;
    const fresh = new Set(body.enable_duplicate_check === 1 ? valid.filter((u) => !((lastContent.get(`${u}|${hash}`) ?? -Infinity) > now - interval)) : valid);
    const msgid = crypto.randomBytes(12).toString('base64url');
    const taskId: string | undefined = type === 'template_card' ? content.task_id : undefined;

    if (taskId && fresh.size) {
      if (taskIds.has(taskId)) return err(40035, 'invalid args: task_id already exists');
      taskIds.add(taskId);
    }
    for (const u of valid) {
      const d: WecomDelivery = { recipient: u, msgtype: type, content, at: now, msgid, taskId };
      if (!fresh.has(u)) {
        state.duplicates.push(d);
        continue;
      }
      lastContent.set(`${u}|${hash}`, now);
      // W7: over the per-member caps the message is dropped without any error to the sender.
      if (received(u, now - 60_000) >= perMinute || received(u, now - 3_600_000) >= perHour) state.dropped.push(d);
      else {
        state.delivered.push(d);
        state.onDelivered?.(d);
      }
      receivedAt.set(u, [...(receivedAt.get(u) ?? []).filter((at) => at > now - 3_600_000), now]);
    }

    const answer: Record<string, unknown> = { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid };
    const interactive = type === 'template_card' && (INTERACTIVE.has(content.card_type) || !!content.action_menu);
    if (interactive && fresh.size) {
      const responseCode = cardsFake.issueResponseCode({ userids: [...fresh], taskId: taskId! });
      sentCodes.add(responseCode);
      answer.response_code = responseCode;
    }
    if (loseAnswers > 0) {
      loseAnswers--;
      return { status: 502, text: '<html>502 Bad Gateway</html>' };
    }
    return { ...ok(answer), delayMs: state.answerDelayMs };
  });

  return state;
}
