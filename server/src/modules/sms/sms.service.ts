// SMS to customers (C18): the sms_messages outbox and log. Business code queues a message with a
// business key (an installment + purpose, a ladder firing) — the unique key makes it exactly-once
// however often the caller runs. The sender claims due rows one by one with a conditional UPDATE
// (so two instances never send the same row), sends only inside SMS_ALLOWED_HOURS, and acts on the
// provider's classified answer: throttled rows wait (a minute, an hour, or tomorrow's opening after
// a per-number daily cap) without sending anything meanwhile; an invalid number is marked on the
// customer and never retried until the number changes; transient errors back off; a row whose
// sender died mid-call is failed, not resent (we cannot know whether it left), so nobody gets two.
import crypto from 'node:crypto';
import { Op, literal, type Transaction, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import { SMS_PROVIDERS, SMS_PURPOSES, SMS_STATUSES, type ListSmsInput, type SmsPurpose, type SmsStatus } from '../../contracts/sms';
import { shanghaiDate } from '../../contracts/dates';
import type { SmsOutcome, SmsProvider } from '../../../../bot/src/channels/sms/provider';
import { createSmsProvider } from '../../../../bot/src/channels/sms';
import type { SmsMessage } from './sms.model';
import { nextOpening, tomorrowsOpening, withinSmsHours } from './sms.clock';
import { renderSmsText } from './sms.text';

const CLAIM_MS = 5 * 60_000;
const PASS_BUDGET_MS = 3 * 60_000;
const MAX_ATTEMPTS = 12;
const MAX_TRANSIENT_ATTEMPTS = 6;
/** Statuses the sender picks up when their next_attempt_at has come. */
const WAITING: SmsStatus[] = ['queued', 'throttled'];
const RESENDABLE: SmsStatus[] = ['failed', 'invalid', 'cancelled'];

export interface QueueSmsInput {
  businessKey: string;
  customerId: number;
  purpose: SmsPurpose;
  loanId?: number | null;
  installmentId?: number | null;
  /** Template variables besides the customer's name (dueDate, amount, seq, …), as text. */
  vars?: Record<string, string>;
}

export interface QueueResult {
  queued: number;
  optedOut: number;
  invalid: number;
}

export interface SendResult {
  deferred: boolean;
  claimed: number;
  sent: number;
  throttled: number;
  invalid: number;
  failed: number;
  retrying: number;
  cancelled: number;
  interrupted: number;
}

type Tx = Transaction | null | undefined;

export function createSmsService(deps: Deps, opts: { provider?: SmsProvider } = {}) {
  const { db, bot, config, crypto: fieldCrypto, log, audit } = deps;
  const { SmsMessage, SmsCustomer, Customer, Installment, Loan } = db.models;
  const window = config.sms;
  // Each service instance claims under its own name: two instances in one process stay apart.
  const owner = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  let provider = opts.provider ?? null;
  const getProvider = () => (provider ??= createSmsProvider(config, log));

  /** Queues messages for customers in `t` (or autocommit); rows whose key exists are left alone. */
  async function queue(t: Tx, inputs: QueueSmsInput[]): Promise<QueueResult> {
    const result: QueueResult = { queued: 0, optedOut: 0, invalid: 0 };
    if (!inputs.length) return result;
    const tx = t ?? undefined;
    const customerIds = [...new Set(inputs.map((i) => i.customerId))];
    const customers = await Customer.findAll({ attributes: ['id', 'name', 'phoneEnc', 'phoneHash', 'phoneLast4', 'ownerId'], where: { id: customerIds }, transaction: tx, raw: true });
    const settings = await SmsCustomer.findAll({ where: { id: customerIds }, transaction: tx, raw: true });
    const byId = new Map(customers.map((c) => [Number(c.id), c]));
    const flags = new Map(settings.map((s) => [Number(s.id), s]));
    const existing = new Set(
      (await SmsMessage.findAll({ attributes: ['businessKey'], where: { businessKey: inputs.map((i) => i.businessKey) }, transaction: tx, raw: true })).map((r) => r.businessKey),
    );
    const now = new Date(bot.now());
    const rows = [];
    for (const input of inputs) {
      if (existing.has(input.businessKey)) continue;
      const c = byId.get(input.customerId);
      if (!c) continue;
      const f = flags.get(input.customerId);
      if (f?.smsOptOut) {
        result.optedOut++;
        continue;
      }
      const invalid = f?.smsInvalidPhoneHash === c.phoneHash;
      const vars = { name: c.name, ...input.vars };
      rows.push({
        businessKey: input.businessKey,
        customerId: input.customerId,
        loanId: input.loanId ?? null,
        installmentId: input.installmentId ?? null,
        ownerId: c.ownerId,
        purpose: input.purpose,
        // Stored as the customer's phone is: encrypted, with its blind index and last 4 digits.
        phoneEnc: fieldCrypto.encrypt(fieldCrypto.decrypt(c.phoneEnc)),
        phoneHash: c.phoneHash,
        phoneLast4: c.phoneLast4,
        templateCode: config.sms.templates[input.purpose]?.code ?? null,
        params: JSON.stringify(vars),
        text: renderSmsText(input.purpose, vars),
        status: (invalid ? 'invalid' : 'queued') as SmsStatus,
        providerMessage: invalid ? '该号码此前被运营商判定无效,未发送' : null,
        nextAttemptAt: now,
      });
      if (invalid) result.invalid++;
      else result.queued++;
    }
    for (let i = 0; i < rows.length; i += 500) {
      await SmsMessage.bulkCreate(rows.slice(i, i + 500), { ignoreDuplicates: true, transaction: tx });
    }
    return result;
  }

  type CustomerNow = { phoneEnc: string; phoneHash: string; phoneLast4: string; subStatus: string | null; smsOptOut: boolean; smsInvalidPhoneHash: string | null };

  /** The customer as it is now (number, sub-status, SMS flags), read once per send. */
  async function customerNow(customerId: number): Promise<CustomerNow | null> {
    const [c, f] = await Promise.all([
      Customer.findByPk(customerId, { attributes: ['phoneEnc', 'phoneHash', 'phoneLast4', 'subStatus'], raw: true }),
      SmsCustomer.findByPk(customerId, { raw: true }),
    ]);
    return c && f ? { ...c, smsOptOut: Boolean(f.smsOptOut), smsInvalidPhoneHash: f.smsInvalidPhoneHash } : null;
  }

  /** Whether a claimed row is still wanted: the customer may have opted out, the installment been paid. */
  async function stillWanted(row: SmsMessage, c: CustomerNow | null): Promise<string | null> {
    if (!c) return '客户已不存在';
    if (c.smsOptOut) return '客户已退订短信提醒';
    // The ladder's 待补充资料 SMS waited for the window; the officer may have cleared it meanwhile.
    if (row.purpose === 'missing_documents' && row.businessKey.startsWith('ladder:') && c.subStatus !== 'awaiting_docs') return '资料已补齐(待补充资料已取消)';
    if (row.installmentId) {
      const inst = await Installment.findByPk(row.installmentId, { raw: true });
      const loan = inst ? await Loan.findByPk(inst.loanId, { attributes: ['status'], raw: true }) : null;
      if (!inst || !loan || loan.status !== 'active') return '贷款已结清或不再还款中';
      if (inst.status === 'paid' || inst.status === 'waived') return '该期已还清';
      if (row.purpose === 'repayment_due' && shanghaiDate(new Date(bot.now())) > inst.dueOn) return '已过到期日,不再发送到期提醒';
    }
    return null;
  }

  function finish(id: number, patch: Partial<SmsMessage>) {
    return SmsMessage.update({ ...patch, claimedBy: null, claimUntil: null }, { where: { id, claimedBy: owner, status: 'sending' } });
  }

  async function apply(row: SmsMessage, out: SmsOutcome, now: number, result: SendResult) {
    const base = { provider: getProvider().name, providerCode: out.code.slice(0, 96), providerMessage: out.message.slice(0, 500) || null };
    switch (out.kind) {
      case 'sent':
        result.sent++;
        return finish(row.id, { ...base, status: 'sent', providerMessageId: out.messageId, sentAt: new Date(now) });
      case 'throttled': {
        result.throttled++;
        if (row.attempts >= MAX_ATTEMPTS) return finish(row.id, { ...base, status: 'failed' });
        const at = out.until === 'tomorrow' ? tomorrowsOpening(now, window) : now + (out.until === 'hour' ? 3_600_000 : 60_000);
        return finish(row.id, { ...base, status: 'throttled', nextAttemptAt: new Date(nextOpening(at, window)) });
      }
      case 'invalid_number':
        result.invalid++;
        await finish(row.id, { ...base, status: 'invalid' });
        // The number is marked on the customer; its other waiting messages are not tried either.
        await SmsCustomer.update({ smsInvalidPhoneHash: row.phoneHash }, { where: { id: row.customerId } });
        await SmsMessage.update(
          { status: 'invalid', providerMessage: '该号码已被运营商判定无效,未发送' },
          { where: { customerId: row.customerId, phoneHash: row.phoneHash, status: WAITING } },
        );
        return;
      case 'transient':
        if (row.attempts >= MAX_TRANSIENT_ATTEMPTS) {
          result.failed++;
          return finish(row.id, { ...base, status: 'failed' });
        }
        result.retrying++;
        return finish(row.id, { ...base, status: 'queued', nextAttemptAt: new Date(nextOpening(now + Math.min(60, 2 ** row.attempts) * 60_000, window)) });
      case 'permanent':
        result.failed++;
        return finish(row.id, { ...base, status: 'failed' });
    }
  }

  /** Rows whose sender died mid-call: failed for a person to check, never resent automatically. */
  async function failInterrupted(now: number): Promise<number> {
    const [n] = await SmsMessage.update(
      { status: 'failed', providerCode: 'INTERRUPTED', providerMessage: '发送过程中断,无法确认是否已发出;为避免重复发送未自动重试,请核实后手动重发', claimedBy: null, claimUntil: null },
      { where: { status: 'sending', claimUntil: { [Op.lt]: new Date(now) } } },
    );
    return n;
  }

  async function sendOne(id: number, now: number, result: SendResult) {
    const row = await SmsMessage.findByPk(id, { raw: true });
    if (!row) return;
    const c = await customerNow(row.customerId);
    const why = await stillWanted(row, c);
    if (why) {
      result.cancelled++;
      await finish(id, { status: 'cancelled', providerMessage: why });
      return;
    }
    // The customer's number may have been corrected since the message was queued: send to the current one.
    if (c!.phoneHash !== row.phoneHash) {
      Object.assign(row, { phoneEnc: c!.phoneEnc, phoneHash: c!.phoneHash, phoneLast4: c!.phoneLast4 });
      await SmsMessage.update({ phoneEnc: c!.phoneEnc, phoneHash: c!.phoneHash, phoneLast4: c!.phoneLast4 }, { where: { id, claimedBy: owner } });
    }
    if (c!.smsInvalidPhoneHash && c!.smsInvalidPhoneHash === row.phoneHash) {
      result.invalid++;
      await finish(id, { status: 'invalid', providerMessage: '该号码已被运营商判定无效,未发送' });
      return;
    }
    const template = config.sms.templates[row.purpose] ?? null;
    let out: SmsOutcome;
    try {
      out = await getProvider().send({ phone: fieldCrypto.decrypt(row.phoneEnc), template, vars: JSON.parse(row.params), text: row.text, outId: String(row.id) });
    } catch (err) {
      out = { kind: 'transient', code: 'CLIENT_ERROR', message: String((err as Error).message ?? err) };
    }
    await apply(row, out, now, result);
  }

  return {
    queue,
    /** One message (the ladder's 待补充资料 SMS) inside the caller's transaction. */
    queueOne: (t: Tx, input: QueueSmsInput) => queue(t, [input]),

    /** One sender pass: nothing outside the allowed hours; otherwise claims and sends due rows. */
    async sendDue(o: { now?: number; limit?: number } = {}): Promise<SendResult> {
      const now = o.now ?? bot.now();
      const result: SendResult = { deferred: false, claimed: 0, sent: 0, throttled: 0, invalid: 0, failed: 0, retrying: 0, cancelled: 0, interrupted: 0 };
      result.interrupted = await failInterrupted(now);
      if (!withinSmsHours(now, window)) return { ...result, deferred: true };
      const due = await SmsMessage.findAll({
        attributes: ['id'],
        where: { status: WAITING, nextAttemptAt: { [Op.lte]: new Date(now) } },
        order: [['nextAttemptAt', 'ASC'], ['id', 'ASC']],
        limit: o.limit ?? 1000, // the pass's time budget usually ends it first
        raw: true,
      });
      const started = Date.now();
      for (const { id } of due) {
        // A pass stays well inside the job's lease (slow provider answers): the rest waits for the next one.
        if (Date.now() - started > PASS_BUDGET_MS) break;
        const claimAt = Math.max(now, bot.now()); // each row's claim runs from when it is taken
        const [claimed] = await SmsMessage.update(
          { status: 'sending', claimedBy: owner, claimUntil: new Date(claimAt + CLAIM_MS), attempts: literal('attempts + 1') as unknown as number },
          { where: { id, status: WAITING, nextAttemptAt: { [Op.lte]: new Date(now) } } },
        );
        if (claimed !== 1) continue; // another instance took it
        result.claimed++;
        await sendOne(id, now, result);
      }
      return result;
    },

    /** Delivery receipts for recently sent messages (providers that offer a query). */
    async pollReceipts(o: { now?: number; limit?: number } = {}): Promise<{ checked: number; delivered: number; failed: number }> {
      const p = getProvider();
      const r = { checked: 0, delivered: 0, failed: 0 };
      if (!p.queryReceipts) return r;
      const now = o.now ?? bot.now();
      const rows = await SmsMessage.findAll({
        where: { status: 'sent', provider: p.name, providerMessageId: { [Op.ne]: null }, sentAt: { [Op.gte]: new Date(now - 3 * 86_400_000) } },
        order: [['id', 'ASC']],
        limit: o.limit ?? 100,
        raw: true,
      });
      // Only while something waits for its report (Tencent's pull would also hand out others' — stored all the same).
      if (!rows.length) return r;
      const receipts = await p.queryReceipts(rows.map((x) => ({ messageId: x.providerMessageId!, phone: fieldCrypto.decrypt(x.phoneEnc), sentAt: new Date(x.sentAt!) })));
      r.checked = rows.length;
      for (const rc of receipts) {
        if (rc.state === 'waiting') continue;
        const [n] = await SmsMessage.update(
          { status: rc.state === 'delivered' ? 'delivered' : 'failed', deliveryCode: rc.code.slice(0, 64) || null, deliveredAt: rc.at },
          { where: { provider: p.name, providerMessageId: rc.messageId, status: 'sent' } },
        );
        if (!n) continue;
        if (rc.state === 'delivered') r.delivered++;
        else r.failed++;
      }
      return r;
    },

    /** The customer's SMS (the timeline on the customer page), after the caller's scope check. */
    async forCustomer(customerId: number) {
      const [f, rows] = await Promise.all([
        SmsCustomer.findByPk(customerId, { raw: true }),
        SmsMessage.findAll({ where: { customerId }, order: [['id', 'DESC']], limit: 50, raw: true }),
      ]);
      const phoneHash = (await Customer.findByPk(customerId, { attributes: ['phoneHash'], raw: true }))?.phoneHash;
      return {
        optOut: Boolean(f?.smsOptOut),
        phoneInvalid: Boolean(f?.smsInvalidPhoneHash && f.smsInvalidPhoneHash === phoneHash),
        items: rows.map((x) => view(x)),
      };
    },

    async setOptOut(rc: RequestContext, customerId: number, optOut: boolean, t: Transaction) {
      const before = await SmsCustomer.findByPk(customerId, { transaction: t, raw: true });
      if (!before) throw notFound('客户不存在或无权查看');
      if (Boolean(before.smsOptOut) === optOut) return { optOut };
      await SmsCustomer.update({ smsOptOut: optOut }, { where: { id: customerId }, transaction: t });
      if (optOut) {
        await SmsMessage.update({ status: 'cancelled', providerMessage: '客户已退订短信提醒' }, { where: { customerId, status: WAITING }, transaction: t });
      }
      await audit.record(rc, { action: 'sms_opt_out', entityType: 'customer', entityId: customerId, before: { smsOptOut: Boolean(before.smsOptOut) }, after: { smsOptOut: optOut } }, t);
      return { optOut };
    },

    /** Admin list of recent messages with filters. */
    async list(q: ListSmsInput) {
      const where: WhereOptions<SmsMessage> = {};
      if (q.purpose) Object.assign(where, { purpose: q.purpose });
      if (q.status) Object.assign(where, { status: q.status });
      if (q.customerId) Object.assign(where, { customerId: q.customerId });
      const { rows, count } = await SmsMessage.findAndCountAll({ where, order: [['id', 'DESC']], limit: q.pageSize, offset: (q.page - 1) * q.pageSize, raw: true });
      const names = new Map(
        (await Customer.findAll({ attributes: ['id', 'name'], where: { id: [...new Set(rows.map((r) => r.customerId))] }, raw: true })).map((c) => [Number(c.id), c.name]),
      );
      return { total: count, page: q.page, pageSize: q.pageSize, items: rows.map((r) => ({ ...view(r), customerName: names.get(Number(r.customerId)) ?? null })) };
    },

    settings() {
      const s = config.sms;
      const pad = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      return {
        provider: s.provider,
        providerLabel: SMS_PROVIDERS[s.provider],
        signName: s.aliyun?.signName ?? s.tencent?.signName ?? null,
        daysBefore: s.daysBefore,
        allowedHours: `${pad(s.allowedFromMinute)}-${pad(s.allowedToMinute)}`,
        templates: (Object.keys(SMS_PURPOSES) as SmsPurpose[]).map((p) => ({
          purpose: p,
          label: SMS_PURPOSES[p],
          code: s.templates[p]?.code ?? null,
          params: s.templates[p]?.params ?? [],
          example: renderSmsText(p, { name: '王先生', seq: '3', amount: '3,210.50', dueDate: '2026-12-01', days: '1', loanNo: 'L202611230001' }),
        })),
      };
    },

    /** Resends a failed / invalid / cancelled message to the customer's current number (audited). */
    async resend(rc: RequestContext, id: number) {
      return db.transaction(async (t) => {
        const row = await SmsMessage.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!row) throw notFound('短信记录不存在');
        if (!RESENDABLE.includes(row.status)) throw new AppError(409, 'SMS_NOT_RESENDABLE');
        const c = await Customer.findByPk(row.customerId, { transaction: t, raw: true });
        const f = await SmsCustomer.findByPk(row.customerId, { transaction: t, raw: true });
        if (!c || !f) throw notFound('客户不存在');
        if (f.smsOptOut) throw new AppError(409, 'SMS_OPTED_OUT');
        if (f.smsInvalidPhoneHash && f.smsInvalidPhoneHash === c.phoneHash) throw new AppError(422, 'SMS_PHONE_STILL_INVALID');
        const before = { status: row.status, phoneLast4: row.phoneLast4 };
        await row.update(
          {
            status: 'queued', attempts: 0, nextAttemptAt: new Date(bot.now()), providerCode: null, providerMessage: null, providerMessageId: null, deliveryCode: null, deliveredAt: null, sentAt: null,
            phoneEnc: c.phoneEnc, phoneHash: c.phoneHash, phoneLast4: c.phoneLast4,
          },
          { transaction: t },
        );
        await audit.record(rc, { action: 'sms_resend', entityType: 'sms_message', entityId: id, before, after: { status: 'queued', phoneLast4: c.phoneLast4 } }, t);
        return view(row.get({ plain: true }));
      });
    },
  };
}

/** What staff see of a message: the number masked to its last four digits. */
/** One message as the API shows it (customer's 短信 tab, admin log, customer history timeline). */
export function smsMessageView(r: SmsMessage) {
  return view(r);
}

function view(r: SmsMessage) {
  return {
    id: Number(r.id),
    customerId: Number(r.customerId),
    loanId: r.loanId === null ? null : Number(r.loanId),
    installmentId: r.installmentId === null ? null : Number(r.installmentId),
    purpose: r.purpose,
    purposeLabel: SMS_PURPOSES[r.purpose] ?? r.purpose,
    phone: `*******${r.phoneLast4}`,
    text: r.text,
    templateCode: r.templateCode,
    status: r.status,
    statusLabel: SMS_STATUSES[r.status] ?? r.status,
    provider: r.provider,
    providerCode: r.providerCode,
    providerMessage: r.providerMessage,
    providerMessageId: r.providerMessageId,
    deliveryCode: r.deliveryCode,
    deliveredAt: r.deliveredAt,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    sentAt: r.sentAt,
    createdAt: r.createdAt,
  };
}

export type SmsService = ReturnType<typeof createSmsService>;
