// Partner lead intake (C1): a signed batch of up to 500 leads per call. The channel signs
// timestamp + "." + raw body with HMAC-SHA256; stale timestamps and reused signatures are refused;
// an Idempotency-Key makes a retried call return the first answer instead of acting twice.
import crypto from 'node:crypto';
import { Op, UniqueConstraintError } from 'sequelize';
import type { Deps } from '../../deps';
import { AppError } from '../../http/errors';
import { parseInput } from '../../http/validate';
import { IntakeLead, IntakeRequest } from '../../contracts/customer.schemas';
import { shanghaiDate } from '../../contracts/dates';
import type { CustomerService } from '../customers/customer.service';
import { duplicateMessage } from '../customers/customer.service';

export interface IntakeHeaders {
  channelKey?: string;
  timestamp?: string;
  signature?: string;
  idempotencyKey?: string;
}

export type LeadResult =
  | { index: number; externalId?: string; status: 'created'; customerId: number }
  | { index: number; externalId?: string; status: 'duplicate'; ownerName: string | null; registeredAt: string; message: string }
  | { index: number; externalId?: string; status: 'invalid'; reason: string; fields: { field: string; message: string }[] };

export function signIntake(secret: string, timestamp: string, rawBody: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export function createIntakeService(deps: Deps, customers: CustomerService) {
  const { db, config, channels, crypto: fieldCrypto } = deps;
  const { IdempotencyKey, Customer, User } = db.models;

  async function authenticate(h: IntakeHeaders, rawBody: string) {
    if (!h.channelKey || !h.timestamp || !h.signature) throw new AppError(401, 'INVALID_SIGNATURE', '缺少 X-Channel-Key、X-Timestamp 或 X-Signature');
    const partner = await channels.partnerByKey(h.channelKey);
    if (!partner) throw new AppError(401, 'UNKNOWN_CHANNEL');
    const ts = Number(h.timestamp);
    if (!/^\d{10}$/.test(h.timestamp) || Math.abs(Date.now() / 1000 - ts) > config.intake.maxSkewSeconds) throw new AppError(401, 'STALE_TIMESTAMP');
    // Exactly 64 hex digits: Buffer.from(…, 'hex') stops at the first non-hex character, so
    // trailing junk would otherwise verify and slip past the replay check as a "new" signature.
    if (!/^[0-9a-f]{64}$/i.test(h.signature)) throw new AppError(401, 'INVALID_SIGNATURE');
    const expected = Buffer.from(signIntake(partner.secret, h.timestamp, rawBody), 'hex');
    const given = Buffer.from(h.signature, 'hex');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new AppError(401, 'INVALID_SIGNATURE');
    return partner.channel;
  }

  return {
    async receive(h: IntakeHeaders, rawBody: string, body: unknown): Promise<{ status: number; body: unknown; replayed: boolean }> {
      const channel = await authenticate(h, rawBody);
      if (!h.idempotencyKey || h.idempotencyKey.length > 128) {
        throw new AppError(422, 'VALIDATION_FAILED', '请提供 Idempotency-Key(不超过 128 个字符)', { fields: [{ field: 'Idempotency-Key', message: '必填' }] });
      }
      const scope = `intake:${channel.id}`;
      const requestHash = crypto.createHash('sha256').update(rawBody).digest('hex');
      const signature = h.signature!.toLowerCase();

      const previous = async () => {
        const prev = await IdempotencyKey.findOne({ where: { scope, idemKey: h.idempotencyKey! } });
        if (prev) {
          if (prev.requestHash !== requestHash) throw new AppError(409, 'IDEMPOTENCY_KEY_REUSED');
          return { status: prev.statusCode, body: prev.response, replayed: true };
        }
        if (await IdempotencyKey.count({ where: { signature } })) throw new AppError(409, 'REPLAYED_REQUEST');
        return null;
      };
      const seen = await previous();
      if (seen) return seen;

      const { leads } = parseInput(IntakeRequest, body);
      try {
        return await db.transaction(async (t) => {
          const key = await IdempotencyKey.create({ scope, idemKey: h.idempotencyKey!, requestHash, signature, statusCode: 200, response: {} }, { transaction: t });
          const owner = channel.defaultOwnerId ? await User.findOne({ where: { id: channel.defaultOwnerId, status: 'active' }, raw: true, transaction: t }) : null;

          const results: LeadResult[] = [];
          const parsed = leads.map((raw, index) => ({ index, r: IntakeLead.safeParse(raw) }));
          const valid = parsed.flatMap((p) => (p.r.success ? [{ index: p.index, lead: p.r.data }] : []));
          // One query finds the leads that already exist, before any insert.
          const phoneHashes = valid.map((v) => fieldCrypto.blindIndex('phone', v.lead.phone));
          const existing = phoneHashes.length ? await Customer.findAll({ where: { phoneHash: { [Op.in]: phoneHashes } }, attributes: ['phoneHash'], raw: true, transaction: t }) : [];
          const known = new Set(existing.map((e) => e.phoneHash));

          for (const p of parsed) {
            const externalId = typeof (leads[p.index] as { externalId?: unknown })?.externalId === 'string' ? String((leads[p.index] as { externalId: string }).externalId) : undefined;
            if (!p.r.success) {
              const fields = p.r.error.issues.map((i) => ({ field: i.path.join('.') || '_', message: i.message }));
              results.push({ index: p.index, externalId, status: 'invalid', reason: fields[0].message, fields });
              continue;
            }
            const lead = { ...p.r.data, channel: channel.code };
            const h = customers.hashes(lead.phone, lead.idNumber);
            if (!known.has(h.phoneHash)) {
              try {
                // A savepoint per lead: a unique-index hit (a concurrent entry) rolls back only that lead.
                const row = await db.sequelize.transaction({ transaction: t }, (sp) =>
                  customers.insertCustomer(null, lead, owner ? { id: owner.id, departmentId: owner.departmentId } : null, 'intake', sp),
                );
                known.add(h.phoneHash);
                results.push({ index: p.index, externalId, status: 'created', customerId: Number(row.id) });
                continue;
              } catch (err) {
                if (!(err instanceof UniqueConstraintError)) throw err;
              }
            }
            const dup = (await customers.findDuplicate(h, undefined, t)) ?? { ownerName: null, registeredAt: shanghaiDate(), inPool: false };
            results.push({ index: p.index, externalId, status: 'duplicate', ownerName: dup.ownerName, registeredAt: dup.registeredAt, message: duplicateMessage(dup) });
          }
          const summary = { created: 0, duplicate: 0, invalid: 0 };
          for (const r of results) summary[r.status]++;
          const response = { channel: channel.code, summary, results };
          await key.update({ response }, { transaction: t });
          return { status: 200, body: response, replayed: false };
        });
      } catch (err) {
        // A concurrent call with the same key or signature committed first: answer as it did.
        if (err instanceof UniqueConstraintError) {
          const seenNow = await previous();
          if (seenNow) return seenNow;
        }
        throw err;
      }
    },
  };
}
export type IntakeService = ReturnType<typeof createIntakeService>;
