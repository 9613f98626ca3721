// Risk pre-checks (C10): the rule set admins edit (audited), the internal blacklist (kept as an
// HMAC blind index only), the check run when an application is submitted, and the override (放行)
// of a blocked submission by someone with `risk.override`. The rules themselves are pure
// (risk.evaluate.ts); this module gathers the facts and stores what was decided.
import { Op, type Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, conflict, notFound, ValidationError } from '../../http/errors';
import { normalizePhone, parseIdNumber } from '../../contracts/identity';
import { shanghaiDate } from '../../contracts/dates';
import { EDITABLE_STATUSES } from '../../contracts/applications';
import {
  BLACKLIST_KINDS, DEFAULT_RISK_RULES, RISK_LEVELS, RISK_PARAM_SCHEMAS, RISK_RULE_NAMES,
  type AddBlacklistEntryInput, type BlacklistKind, type RiskCheckResult, type RiskRuleKind, type UpdateRiskRuleInput,
} from '../../contracts/risk';
import type { Application } from '../applications/application.model';
import { evaluateRisk, rejectedRules, riskCardSummary, riskSummary, type RiskRule } from './risk.evaluate';
import type { RiskCheckRow } from './risk.model';
import type { Row } from '../../db/define';

type CheckRow = Row<RiskCheckRow, 'id' | 'createdAt' | 'checkedBy' | 'overriddenBy' | 'overrideReason' | 'overriddenAt' | 'usedByCheckId'>;

/** A submission stopped by a reject-level result: 422 with the full result in the details. */
export class RiskRejectedError extends AppError {
  constructor(readonly result: RiskCheckResult) {
    const reasons = result.results.filter((r) => r.level === 'reject').map((r) => r.reason);
    super(422, 'RISK_CHECK_REJECTED', `风控预检未通过:${reasons.join(';')}`, { risk: result });
  }
}

const rejectedKinds = rejectedRules;

/** The value a blacklist entry and a customer are both hashed from. */
function normalizeFor(kind: BlacklistKind, value: string): string | null {
  if (kind === 'phone') return normalizePhone(value);
  const r = parseIdNumber(value);
  return 'problem' in r ? null : r.idNumber;
}

/** The 风控预检 line of an approval card: the check of the application's current round (null before checks existed). */
export async function riskCardLine(deps: Pick<Deps, 'db' | 'org'>, applicationId: number, round: number, t?: Transaction): Promise<string | null> {
  const row = await deps.db.models.RiskCheck.findOne({ where: { applicationId, round, outcome: 'submitted' }, order: [['id', 'DESC']], transaction: t });
  if (!row) return null;
  const names = await deps.org.usersByIds(row.overriddenBy ? [Number(row.overriddenBy)] : []);
  return riskCardSummary(row.result, row.overriddenAt ? { userName: names.get(Number(row.overriddenBy))?.name ?? '—' } : null);
}

export function createRiskService(deps: Deps) {
  const { db, crypto, audit, org, bot } = deps;
  const { RiskRule, RiskBlacklist, RiskCheck, Application, ApplicationDocument, Customer } = db.models;
  const hashOf = (kind: BlacklistKind, normalized: string) => crypto.blindIndex('blacklist', `${kind}:${normalized}`);

  /** The rule set in order. A stored parameter set that no longer parses falls back to the default (and says so in the log). */
  async function rules(t?: Transaction): Promise<(RiskRule & { id: number; updatedBy: number | null; updatedAt: Date })[]> {
    const rows = await RiskRule.findAll({ order: [['sortOrder', 'ASC'], ['id', 'ASC']], transaction: t });
    const stored = rows
      .filter((r) => r.kind in RISK_PARAM_SCHEMAS)
      .map((r) => {
        const parsed = RISK_PARAM_SCHEMAS[r.kind].safeParse(r.params);
        if (!parsed.success) deps.log.warn({ kind: r.kind }, 'risk rule params invalid, using defaults');
        const params = parsed.success ? parsed.data : DEFAULT_RISK_RULES.find((d) => d.kind === r.kind)!.params;
        return { id: r.id, kind: r.kind, enabled: Boolean(r.enabled), level: r.level, params, updatedBy: r.updatedBy, updatedAt: r.updatedAt } as RiskRule & { id: number; updatedBy: number | null; updatedAt: Date };
      });
    // A kind added by a later release runs with its defaults until an admin saves it.
    const missing = DEFAULT_RISK_RULES.filter((d) => !stored.some((r) => r.kind === d.kind));
    return [...stored, ...missing.map((d) => ({ ...d, id: 0, updatedBy: null, updatedAt: new Date(0) }) as RiskRule & { id: number; updatedBy: number | null; updatedAt: Date })];
  }

  async function isBlacklisted(kind: BlacklistKind, value: string | null, t?: Transaction) {
    const normalized = value ? normalizeFor(kind, value) ?? value.replace(/\s/g, '').toUpperCase() : null;
    if (!normalized) return false;
    return (await RiskBlacklist.count({ where: { kind, valueHash: hashOf(kind, normalized) }, transaction: t })) > 0;
  }

  /** Runs the rule set for an application as it stands now (customer data as stored, documents uploaded). */
  async function evaluate(app: Application, t: Transaction, now = new Date()): Promise<RiskCheckResult> {
    const set = await rules(t);
    const customer = await Customer.findByPk(app.customerId, { transaction: t });
    if (!customer) throw notFound('客户不存在或无权查看');
    const phone = customer.phoneEnc ? crypto.decrypt(customer.phoneEnc) : null;
    const idNumber = customer.idNumberEnc ? crypto.decrypt(customer.idNumberEnc) : null;
    const docs = await ApplicationDocument.findAll({ where: { applicationId: app.id }, attributes: ['kind'], transaction: t, raw: true });
    const multi = set.find((r) => r.kind === 'multi_apply' && r.enabled);
    const windowDays = multi ? (multi.params as { windowDays: number }).windowDays : 30;
    const others = await Application.count({
      where: { customerId: app.customerId, id: { [Op.ne]: app.id }, status: { [Op.ne]: 'draft' }, submittedAt: { [Op.gte]: new Date(now.getTime() - windowDays * 86_400_000) } },
      transaction: t,
    });
    return evaluateRisk(set, {
      businessDate: shanghaiDate(now),
      phone,
      idNumber,
      monthlyIncomeFen: customer.monthlyIncomeFen === null ? null : Number(customer.monthlyIncomeFen),
      amountFen: Number(app.amountFen),
      termMonths: app.termMonths,
      product: app.product,
      collateral: app.collateral,
      documentKinds: docs.map((d) => d.kind),
      applicationsWithin: () => others + 1,
      blacklisted: { phone: await isBlacklisted('phone', phone, t), idNumber: await isBlacklisted('id_number', idNumber, t) },
      now,
      ruleFacts: {
        'customer.channel': customer.channel, 'customer.city': customer.city, 'customer.stage': customer.stage,
        'customer.loanAmountFen': customer.loanAmountFen === null ? null : Number(customer.loanAmountFen), 'customer.loanTermMonths': customer.loanTermMonths,
        'customer.collateral': customer.collateral, 'customer.monthlyIncomeFen': customer.monthlyIncomeFen === null ? null : Number(customer.monthlyIncomeFen),
        'customer.campaignTags': customer.campaignTags ?? [], 'customer.idNumber': idNumber, 'customer.loanPurpose': customer.loanPurpose,
        'customer.createdAt': customer.createdAt, 'customer.lastFollowUpAt': customer.lastFollowUpAt, 'customer.nextFollowUpDate': customer.nextFollowUpDate,
        'customer.stageChangedAt': customer.stageChangedAt,
        'application.amountFen': Number(app.amountFen), 'application.termMonths': app.termMonths, 'application.product': app.product,
        'application.collateral': app.collateral, 'application.repaymentMethod': app.repaymentMethod, 'application.submittedAt': now,
      },
    });
  }

  function view(row: RiskCheckRow | null, names: Map<number, { name: string }>) {
    if (!row) return null;
    const result = row.result;
    const overridden = row.overriddenAt ? { userId: row.overriddenBy, userName: names.get(Number(row.overriddenBy))?.name ?? '—', reason: row.overrideReason, at: row.overriddenAt } : null;
    return {
      id: Number(row.id),
      round: row.round,
      outcome: row.outcome,
      blocked: row.outcome === 'blocked',
      level: result.level,
      levelName: RISK_LEVELS[result.level],
      businessDate: result.businessDate,
      results: result.results.map((r) => ({ ...r, levelName: RISK_LEVELS[r.level] })),
      summary: riskSummary(result, overridden),
      override: overridden,
      checkedAt: row.createdAt,
    };
  }

  async function latest(applicationId: number, t?: Transaction) {
    return RiskCheck.findOne({ where: { applicationId }, order: [['id', 'DESC']], transaction: t });
  }

  const service = {
    evaluate,

    /**
     * Inside the submission's transaction (the application row locked, `round` = the new round):
     * runs the checks and attaches the result. A reject-level result throws RiskRejectedError
     * unless the last blocked attempt was overridden for the same rejected rules; that override is
     * then used up and copied onto this check.
     */
    async checkOnSubmit(t: Transaction, rc: RequestContext, app: Application, round: number, now = new Date()) {
      const result = await evaluate(app, t, now);
      let override: CheckRow | null = null;
      if (result.level === 'reject') {
        const last: CheckRow | null = await RiskCheck.findOne({ where: { applicationId: app.id, outcome: 'blocked' }, order: [['id', 'DESC']], transaction: t, lock: t.LOCK.UPDATE });
        const covered = last?.overriddenAt && !last.usedByCheckId && rejectedKinds(result).every((k) => rejectedKinds(last.result).includes(k));
        if (!covered) throw new RiskRejectedError(result);
        override = last;
      }
      const row = await RiskCheck.create(
        {
          applicationId: app.id, round, outcome: 'submitted', level: result.level, result, checkedBy: rc.actor.id,
          overriddenBy: override?.overriddenBy ?? null, overrideReason: override?.overrideReason ?? null, overriddenAt: override?.overriddenAt ?? null,
        },
        { transaction: t },
      );
      if (override) await override.update({ usedByCheckId: Number(row.id) }, { transaction: t });
      return { checkId: Number(row.id), result };
    },

    /** After a blocked submission rolled back: keep the attempt so risk staff can see and override it. */
    async recordBlocked(rc: RequestContext, applicationId: number, result: RiskCheckResult) {
      await db.transaction(async (t) => {
        const app = await Application.findByPk(applicationId, { transaction: t, attributes: ['id', 'round'] });
        if (!app) return;
        await RiskCheck.create({ applicationId, round: app.round + 1, outcome: 'blocked', level: result.level, result, checkedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'risk_blocked', entityType: 'application', entityId: applicationId, after: { rejected: rejectedKinds(result) } }, t);
      });
    },

    /** The latest check of an application for its detail page. */
    async forApplication(applicationId: number, t?: Transaction) {
      const row = await latest(applicationId, t);
      return view(row, await org.usersByIds(row?.overriddenBy ? [Number(row.overriddenBy)] : []));
    },


    /** 放行: someone with `risk.override` lets the applicant submit despite the blocked result (a reason is required; audited). */
    async override(rc: RequestContext, applicationId: number, reason: string) {
      await db.transaction(async (t) => {
        const app = await Application.findByPk(applicationId, { transaction: t, lock: t.LOCK.UPDATE });
        const last = app ? await latest(applicationId, t) : null;
        // Risk staff see an application only once a submission of it was blocked (drafts are otherwise private).
        if (!app || !last) throw notFound('进件不存在或无权查看');
        if (!EDITABLE_STATUSES.includes(app.status) || last.outcome !== 'blocked') throw conflict('RISK_NOTHING_TO_OVERRIDE');
        if (last.overriddenAt) {
          // The same override again (a double tap, a retried request) is answered from the record.
          if (last.overriddenBy === rc.actor.id && last.overrideReason === reason) return;
          throw conflict('RISK_ALREADY_OVERRIDDEN', undefined, { checkId: Number(last.id) });
        }
        const at = new Date();
        await last.update({ overriddenBy: rc.actor.id, overrideReason: reason, overriddenAt: at }, { transaction: t });
        await audit.record(rc, { action: 'risk_override', entityType: 'application', entityId: applicationId, after: { checkId: Number(last.id), reason, rejected: rejectedKinds(last.result) } }, t);
        await bot.notifyUsers(t, {
          userIds: [app.applicantId],
          kind: 'risk_override',
          idemKey: `risk:check:${last.id}:override`,
          ref: { type: 'application', id: applicationId },
          payload: { title: '风控预检已放行', text: `${rc.actor.name} 已放行进件 #${applicationId} 的风控预检(原因:${reason}),请重新提交。`, url: `/approvals/${applicationId}` },
        });
      });
      return service.forApplication(applicationId);
    },

    /** Blocked submissions nobody has overridden yet: the risk officer's queue. */
    async blocked() {
      const rows = await RiskCheck.findAll({ where: { outcome: 'blocked', overriddenAt: { [Op.is]: null } }, order: [['id', 'DESC']], limit: 200 });
      const latestIds = new Map<number, RiskCheckRow>();
      for (const r of rows) if (!latestIds.has(Number(r.applicationId))) latestIds.set(Number(r.applicationId), r);
      const apps = await Application.findAll({ where: { id: [...latestIds.keys()], status: EDITABLE_STATUSES as unknown as string[] }, raw: true });
      const newest = await Promise.all(apps.map((a) => latest(Number(a.id))));
      const names = await org.usersByIds(apps.map((a) => a.applicantId));
      const customers = new Map((await Customer.findAll({ where: { id: apps.map((a) => a.customerId) }, attributes: ['id', 'name'], raw: true })).map((c) => [Number(c.id), c.name]));
      return apps
        .filter((a, i) => Number(newest[i]?.id) === Number(latestIds.get(Number(a.id))!.id))
        .map((a) => ({
          applicationId: Number(a.id), product: a.product, amountFen: Number(a.amountFen), termMonths: a.termMonths,
          customerName: customers.get(Number(a.customerId)) ?? a.customerSnapshot?.name ?? null, applicantName: names.get(a.applicantId)?.name ?? null,
          check: view(latestIds.get(Number(a.id))!, new Map()),
        }))
        .sort((x, y) => y.check!.id - x.check!.id);
    },

    async listRules() {
      const set = await rules();
      const names = await org.usersByIds(set.map((r) => r.updatedBy).filter((x): x is number => x !== null));
      return set.map((r) => ({
        kind: r.kind, ...RISK_RULE_NAMES[r.kind], enabled: r.enabled, level: r.level, levelName: RISK_LEVELS[r.level], params: r.params,
        updatedAt: r.updatedAt, updatedByName: r.updatedBy ? (names.get(r.updatedBy)?.name ?? null) : null,
      }));
    },

    async updateRule(rc: RequestContext, kind: RiskRuleKind, input: UpdateRiskRuleInput) {
      await db.transaction(async (t) => {
        let row = await RiskRule.findOne({ where: { kind }, transaction: t, lock: t.LOCK.UPDATE });
        if (!row) {
          const d = DEFAULT_RISK_RULES.find((x) => x.kind === kind)!;
          const last = (await RiskRule.max('sortOrder', { transaction: t })) as number | null;
          row = await RiskRule.create({ kind, enabled: d.enabled, level: d.level, params: d.params as Record<string, unknown>, sortOrder: (last ?? 0) + 10 }, { transaction: t });
        }
        const before = { enabled: Boolean(row.enabled), level: row.level, params: row.params };
        const merged = input.params ? { ...row.params, ...input.params } : row.params;
        const parsed = RISK_PARAM_SCHEMAS[kind].safeParse(merged);
        if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ field: ['params', ...i.path].join('.'), message: i.message })));
        const after = { enabled: input.enabled ?? before.enabled, level: input.level ?? before.level, params: parsed.data as Record<string, unknown> };
        await row.update({ ...after, updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'update', entityType: 'risk_rule', entityId: kind, before, after }, t);
      });
      return (await service.listRules()).find((r) => r.kind === kind)!;
    },

    async listBlacklist() {
      const rows = await RiskBlacklist.findAll({ order: [['id', 'DESC']], limit: 500, raw: true });
      const names = await org.usersByIds(rows.map((r) => r.createdBy).filter((x): x is number => x !== null));
      return rows.map((r) => ({ id: r.id, kind: r.kind, kindName: BLACKLIST_KINDS[r.kind], hint: `尾号 ${r.hint}`, reason: r.reason, createdByName: r.createdBy ? (names.get(r.createdBy)?.name ?? null) : null, createdAt: r.createdAt }));
    },

    async addBlacklist(rc: RequestContext, input: AddBlacklistEntryInput) {
      const normalized = normalizeFor(input.kind, input.value);
      if (!normalized) throw new ValidationError([{ field: 'value', message: input.kind === 'phone' ? '请输入 11 位手机号' : '身份证号无效' }]);
      const valueHash = hashOf(input.kind, normalized);
      const id = await db.transaction(async (t) => {
        if (await RiskBlacklist.count({ where: { kind: input.kind, valueHash }, transaction: t })) throw conflict('RISK_BLACKLIST_EXISTS');
        const row = await RiskBlacklist.create({ kind: input.kind, valueHash, hint: normalized.slice(-4), reason: input.reason, createdBy: rc.actor.id }, { transaction: t });
        // The audit row names the entry, never the number.
        await audit.record(rc, { action: 'create', entityType: 'risk_blacklist', entityId: row.id, after: { kind: input.kind, hint: normalized.slice(-4), reason: input.reason } }, t);
        return row.id;
      }).catch((e: unknown) => {
        if ((e as { name?: string }).name === 'SequelizeUniqueConstraintError') throw conflict('RISK_BLACKLIST_EXISTS');
        throw e;
      });
      return (await service.listBlacklist()).find((r) => r.id === id)!;
    },

    async removeBlacklist(rc: RequestContext, id: number, reason?: string) {
      await db.transaction(async (t) => {
        const row = await RiskBlacklist.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!row) throw notFound('黑名单记录不存在');
        await row.destroy({ transaction: t });
        await audit.record(rc, { action: 'delete', entityType: 'risk_blacklist', entityId: id, before: { kind: row.kind, hint: row.hint, reason: row.reason }, after: { reason: reason ?? null } }, t);
      });
    },
  };
  return service;
}
export type RiskService = ReturnType<typeof createRiskService>;
