// The product catalogue (C14): CRUD for admins (audited, validated by contracts/products.ts),
// the list everyone signed in reads, 匹配产品 for a customer or an application (only those the
// viewer may see; anything else is "not found"), and the check an application makes against the
// product it picked (amount, term and repayment method inside the product's limits).
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { conflict, notFound, ValidationError, type FieldProblem } from '../../http/errors';
import { can } from '../../contracts/roles';
import { LENDER_KINDS, PRODUCT_TYPES, ppmToPercent } from '../../contracts/loans';
import { DOCUMENT_KINDS, REPAYMENT_METHODS, type RepaymentMethod } from '../../contracts/applications';
import { formatFen } from '../../contracts/money';
import { rangeProblems, type CreateProductInput, type MatchQueryInput, type UpdateProductInput } from '../../contracts/products';
import type { RuleFacts } from '../../contracts/rules';
import type { Customer } from '../customers/customer.model';
import type { Application } from '../applications/application.model';
import { applicationScope } from '../applications/application.scope';
import type { CustomerService } from '../customers/customer.service';
import type { Product } from './product.model';
import { matchProducts, type MatchRequest } from './matching';

export function toProductView(p: Product) {
  const amountMinFen = Number(p.amountMinFen);
  const amountMaxFen = Number(p.amountMaxFen);
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    lenderKind: p.lenderKind,
    lenderKindName: LENDER_KINDS[p.lenderKind] ?? p.lenderKind,
    lenderName: p.lenderName,
    type: p.type,
    typeName: PRODUCT_TYPES[p.type] ?? p.type,
    rateMinPpm: p.rateMinPpm,
    rateMaxPpm: p.rateMaxPpm,
    rateText: p.rateMinPpm === p.rateMaxPpm ? `${ppmToPercent(p.rateMinPpm)}%` : `${ppmToPercent(p.rateMinPpm)}%–${ppmToPercent(p.rateMaxPpm)}%`,
    termMinMonths: p.termMinMonths,
    termMaxMonths: p.termMaxMonths,
    amountMinFen,
    amountMaxFen,
    amountText: `${formatFen(amountMinFen)}–${formatFen(amountMaxFen)} 元`,
    repaymentMethods: p.repaymentMethods,
    repaymentMethodNames: p.repaymentMethods.map((m) => REPAYMENT_METHODS[m] ?? m),
    monthlyRatePpm: p.monthlyRatePpm,
    penaltyDailyRatePpm: p.penaltyDailyRatePpm,
    eligibility: p.eligibility,
    requiredDocuments: p.requiredDocuments,
    requiredDocumentNames: p.requiredDocuments.map((d) => DOCUMENT_KINDS[d] ?? d),
    description: p.description,
    enabled: Boolean(p.enabled),
    sortOrder: p.sortOrder,
    updatedAt: p.updatedAt,
  };
}
export type ProductView = ReturnType<typeof toProductView>;

/** The facts a product's eligibility is tested against, keyed like RULE_FIELDS. */
export function customerFacts(c: Customer, idNumber: string | null): Record<string, unknown> {
  const n = (v: number | string | null) => (v === null || v === undefined ? null : Number(v)); // BIGINT may be a string
  return {
    'customer.channel': c.channel, 'customer.city': c.city, 'customer.stage': c.stage,
    'customer.loanAmountFen': n(c.loanAmountFen), 'customer.loanTermMonths': c.loanTermMonths,
    'customer.collateral': c.collateral, 'customer.monthlyIncomeFen': n(c.monthlyIncomeFen),
    'customer.campaignTags': c.campaignTags ?? [], 'customer.idNumber': idNumber, 'customer.loanPurpose': c.loanPurpose,
    'customer.occupation': c.occupation ?? null, 'customer.creditStatus': c.creditStatus ?? null, 'customer.creditNotes': c.creditNotes ?? null,
    'customer.createdAt': c.createdAt, 'customer.lastFollowUpAt': c.lastFollowUpAt, 'customer.nextFollowUpDate': c.nextFollowUpDate,
    'customer.stageChangedAt': c.stageChangedAt,
  };
}

export interface ProductCheckInput {
  productId: number;
  amountFen: number;
  termMonths: number;
  repaymentMethod: RepaymentMethod | null | undefined;
}

export function createProductService(deps: Deps, customers: CustomerService) {
  const { db, audit, crypto, org } = deps;
  const { Product, Customer, Application } = db.models;

  async function find(id: number, t?: Transaction) {
    const row = await Product.findByPk(id, { transaction: t });
    if (!row) throw notFound('产品不存在');
    return row;
  }

  async function match(customer: Customer, req: MatchRequest, extraFacts: Record<string, unknown> = {}) {
    const products = await Product.findAll({ where: { enabled: true }, order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
    const idNumber = customer.idNumberEnc ? crypto.decrypt(customer.idNumberEnc) : null;
    const facts: RuleFacts = {
      ...customerFacts(customer, idNumber),
      'application.amountFen': req.amountFen, 'application.termMonths': req.termMonths, 'application.repaymentMethod': req.repaymentMethod,
      ...extraFacts,
    };
    const results = matchProducts(products.map((p) => p.get({ plain: true }) as Product), facts, req);
    return {
      request: { ...req, amountText: req.amountFen === null ? null : `${formatFen(req.amountFen)} 元` },
      qualifiedCount: results.filter((r) => r.qualified).length,
      items: results.map((r) => ({ product: toProductView(r.product), qualified: r.qualified, reasons: r.reasons })),
    };
  }

  const service = {
    find,

    async list(rc: RequestContext, q: { type?: Product['type']; all?: boolean }) {
      const where: WhereOptions<Product> = {};
      if (!(q.all && can(rc.actor.role, 'product.manage'))) Object.assign(where, { enabled: true });
      if (q.type) Object.assign(where, { type: q.type });
      const rows = await Product.findAll({ where, order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
      return rows.map(toProductView);
    },

    async get(rc: RequestContext, id: number) {
      const row = await find(id);
      if (!row.enabled && !can(rc.actor.role, 'product.manage')) throw notFound('产品不存在');
      return toProductView(row);
    },

    async create(rc: RequestContext, input: CreateProductInput) {
      const row = await db.transaction(async (t) => {
        if (await Product.count({ where: { code: input.code }, transaction: t })) throw conflict('PRODUCT_CODE_EXISTS', `产品编码「${input.code}」已存在`);
        const p = await Product.create({ ...input, eligibility: input.eligibility ?? null, createdBy: rc.actor.id, updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'product', entityId: p.id, after: input }, t);
        return p;
      });
      return toProductView(row);
    },

    async update(rc: RequestContext, id: number, patch: UpdateProductInput) {
      const row = await db.transaction(async (t) => {
        const p = await Product.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!p) throw notFound('产品不存在');
        const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Product>;
        const merged = { ...(p.get({ plain: true }) as Product), ...changes };
        const problems = rangeProblems({ ...merged, amountMinFen: Number(merged.amountMinFen), amountMaxFen: Number(merged.amountMaxFen) });
        if (problems.length) throw new ValidationError(problems);
        if (changes.code && changes.code !== p.code && (await Product.count({ where: { code: changes.code, id: { [Op.ne]: id } }, transaction: t }))) {
          throw conflict('PRODUCT_CODE_EXISTS', `产品编码「${changes.code}」已存在`);
        }
        const before = Object.fromEntries(Object.keys(changes).map((k) => [k, p.get(k as keyof Product)]));
        await p.update({ ...changes, updatedBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'update', entityType: 'product', entityId: id, before, after: changes }, t);
        return p;
      });
      return toProductView(row);
    },

    /** 匹配产品 from a customer: the amount/term asked, else the customer's own wish. */
    async matchForCustomer(rc: RequestContext, customerId: number, q: MatchQueryInput) {
      const c = await customers.findInScope(rc.actor, customerId, 'read');
      return match(c, {
        amountFen: q.amountFen ?? (c.loanAmountFen === null ? null : Number(c.loanAmountFen)),
        termMonths: q.termMonths ?? c.loanTermMonths ?? null,
        repaymentMethod: q.repaymentMethod ?? null,
      });
    },

    /** 匹配产品 from an application: its amount, term and method unless the query overrides them. */
    async matchForApplication(rc: RequestContext, applicationId: number, q: MatchQueryInput) {
      const app = await Application.findOne({ where: { [Op.and]: [{ id: applicationId }, await applicationScope(rc.actor, org)] } as WhereOptions<Application> });
      if (!app) throw notFound('进件不存在或无权查看');
      const c = await Customer.findByPk(app.customerId);
      if (!c) throw notFound('客户不存在或无权查看');
      return match(
        c,
        { amountFen: q.amountFen ?? Number(app.amountFen), termMonths: q.termMonths ?? app.termMonths, repaymentMethod: q.repaymentMethod ?? app.repaymentMethod ?? null },
        { 'application.product': app.product, 'application.collateral': app.collateral, 'application.submittedAt': app.submittedAt },
      );
    },

    /**
     * An application's product choice: the product must be enabled and the amount, term and
     * method inside its limits. 422 with one problem per field otherwise (nothing is written).
     */
    async checkApplication(input: ProductCheckInput, t?: Transaction) {
      const p = await Product.findByPk(input.productId, { transaction: t });
      if (!p || !p.enabled) throw new ValidationError([{ field: 'productId', message: '所选产品不存在或已停用' }]);
      const problems: FieldProblem[] = [];
      const lo = Number(p.amountMinFen);
      const hi = Number(p.amountMaxFen);
      if (input.amountFen < lo || input.amountFen > hi) problems.push({ field: 'amountFen', message: `「${p.name}」的额度为 ${formatFen(lo)}–${formatFen(hi)} 元` });
      if (input.termMonths < p.termMinMonths || input.termMonths > p.termMaxMonths) problems.push({ field: 'termMonths', message: `「${p.name}」的期限为 ${p.termMinMonths}–${p.termMaxMonths} 个月` });
      if (input.repaymentMethod && !p.repaymentMethods.includes(input.repaymentMethod)) {
        problems.push({ field: 'repaymentMethod', message: `「${p.name}」支持的还款方式:${p.repaymentMethods.map((m) => REPAYMENT_METHODS[m]).join('、')}` });
      }
      if (problems.length) throw new ValidationError(problems);
      return p;
    },
  };
  return service;
}
export type ProductService = ReturnType<typeof createProductService>;
