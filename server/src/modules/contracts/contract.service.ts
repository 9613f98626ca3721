// Contracts (C15): .docx templates per product (admins; parsed by docxtemplater before they are
// kept), a contract generated for an approved application (customer, application, product,
// repayment schedule and broker fields, amounts also in 大写金额), stored through the documents
// storage, and signing through a SignatureProvider. Manual signing: the signed scan is uploaded,
// a second person confirms it, and in that same transaction the contract is signed, the customer
// moves 审批中 → 已签约 and ContractSigned is emitted. Every generation, download, upload and
// confirmation is audited; only people who may see the application reach its contracts.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { Deps } from '../../deps';
import type { Actor, RequestContext } from '../../http/context';
import { AppError, conflict, forbidden, notFound, ValidationError } from '../../http/errors';
import { can } from '../../contracts/roles';
import { CONTRACT_STATUSES, DOCX_MIME, SIGNATURE_STATUSES, SIGNED_SCAN_MIME_TYPES, type GenerateContractInput, type SignedScanMime } from '../../contracts/contracts';
import { REPAYMENT_METHODS, type RepaymentMethod } from '../../contracts/applications';
import { LENDER_KINDS, PRODUCT_TYPES, ppmToPercent } from '../../contracts/loans';
import { formatFen } from '../../contracts/money';
import { shanghaiDate } from '../../contracts/dates';
import { fenToChineseCapital } from '../../contracts/chinese-capital';
import { FIELD_ACCESS, maskIdNumber, maskPhone } from '../../contracts/fields';
import { EVENT_TYPES } from '../events/events.service';
import { applicationScope } from '../applications/application.scope';
import type { Application } from '../applications/application.model';
import type { CustomerService } from '../customers/customer.service';
import { sniffMatches } from '../applications/documents.service';
import type { DocumentStorage } from '../applications/documents.storage';
import { addMonthsClamped, buildSchedule, maturityDate } from '../loans/schedule';
import { inspectTemplate, renderTemplate, TemplateError } from './contract.render';
import { SIGNATURE_PROVIDER_IMPLS } from './signature.provider';
import type { Contract, ContractSignature, ContractTemplate } from './contract.model';

const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;

export interface UploadBody {
  contentType: string;
  contentLength?: number;
  body: AsyncIterable<Buffer | string>;
}

async function readCapped(body: AsyncIterable<Buffer | string>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > max) throw tooLarge(max);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
const tooLarge = (max: number) => new AppError(413, 'DOCUMENT_TOO_LARGE', `文件不能超过 ${Math.round(max / 1024 / 1024)} MB`);
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const key = (dir: string, ext: string) => `contracts/${dir}/${crypto.randomBytes(16).toString('hex')}.${ext}`;
const yuan = (fen: number) => formatFen(fen);
const chineseDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
/** The masked copy sits beside the contract (no column needed): `…/<hex>.docx` → `…/<hex>.masked.docx`. */
const maskedKeyOf = (k: string) => k.replace(/\.docx$/, '.masked.docx');
const safeName = (s: string) => s.replace(/[\\/:*?"<>|\r\n]+/g, '_').slice(0, 120);

export function createContractService(deps: Deps, customers: CustomerService, storage: DocumentStorage) {
  const { db, audit, org, crypto: fc, events, config } = deps;
  const { ContractTemplate, Contract, ContractSignature, Product, Application, Customer } = db.models;
  const maxScan = config.applications.maxFileBytes;

  async function readableApplication(actor: Actor, id: number, t?: Transaction) {
    const app = await Application.findOne({ where: { [Op.and]: [{ id }, await applicationScope(actor, org)] } as WhereOptions<Application>, transaction: t });
    if (!app) throw notFound('进件不存在或无权查看');
    return app;
  }

  /** The contract if the actor may see its application; anything else is "not found". */
  async function readableContract(actor: Actor, id: number, t?: Transaction) {
    const c = await Contract.findByPk(id, { transaction: t, lock: t ? t.LOCK.UPDATE : undefined });
    if (!c) throw notFound('合同不存在或无权查看');
    await readableApplication(actor, Number(c.applicationId), t).catch(() => {
      throw notFound('合同不存在或无权查看');
    });
    return c;
  }

  function templateView(t: ContractTemplate, names: Map<number, { name: string }>) {
    const info = { placeholders: t.placeholders };
    return {
      id: t.id, productId: t.productId, name: t.name, fileName: t.fileName, sizeBytes: t.sizeBytes, enabled: Boolean(t.enabled),
      placeholders: info.placeholders, uploadedByName: names.get(t.uploadedBy)?.name ?? null, createdAt: t.createdAt,
      url: `/api/v1/contract-templates/${t.id}/file`,
    };
  }

  function contractView(c: Contract, sigs: ContractSignature[], names: Map<number, { name: string }>, actor: Actor) {
    const name = (id: number | null) => (id ? (names.get(id)?.name ?? null) : null);
    const pending = sigs.find((s) => s.status === 'uploaded') ?? null;
    return {
      id: Number(c.id), contractNo: c.contractNo, applicationId: Number(c.applicationId), status: c.status, statusName: CONTRACT_STATUSES[c.status],
      amountFen: Number(c.amountFen), annualRatePpm: c.annualRatePpm, annualRateText: `${ppmToPercent(c.annualRatePpm)}%`, termMonths: c.termMonths,
      repaymentMethod: c.repaymentMethod, repaymentMethodName: REPAYMENT_METHODS[c.repaymentMethod], fileName: c.fileName, provider: c.provider,
      generatedByName: name(c.generatedBy), generatedAt: c.createdAt, signedAt: c.signedAt, voidedAt: c.voidedAt,
      url: `/api/v1/contracts/${c.id}/file`,
      signatures: sigs.map((s) => ({
        id: Number(s.id), status: s.status, statusName: SIGNATURE_STATUSES[s.status], fileName: s.fileName, mime: s.mime,
        uploadedByName: name(s.uploadedBy), uploadedAt: s.createdAt, confirmedByName: name(s.confirmedBy), confirmedAt: s.confirmedAt, rejectReason: s.rejectReason,
        url: s.storageKey ? `/api/v1/contracts/${c.id}/signatures/${s.id}/file` : null,
      })),
      can: {
        uploadSigned: c.status === 'generated' && can(actor.role, 'contract.generate'),
        confirm: c.status === 'awaiting_confirmation' && can(actor.role, 'contract.confirm') && !!pending && pending.uploadedBy !== actor.id,
      },
    };
  }

  /** Everything a template may use, for one application (see CONTRACT_FIELDS). */
  async function contractData(rc: RequestContext, app: Application, contractNo: string, rate: number, firstDueOn: string, method: RepaymentMethod, t: Transaction) {
    const product = await Product.findByPk(app.productId!, { transaction: t });
    if (!product) throw new AppError(409, 'CONTRACT_NO_TEMPLATE', '进件关联的产品已不存在');
    const customer = await Customer.findByPk(app.customerId, { transaction: t });
    if (!customer) throw notFound('客户不存在或无权查看');
    const principalFen = Number(app.amountFen);
    const schedule = buildSchedule(
      product.monthlyRatePpm !== null && product.monthlyRatePpm !== undefined
        ? { principalFen, termMonths: app.termMonths, method, firstDueOn, monthlyRatePpm: product.monthlyRatePpm }
        : { principalFen, termMonths: app.termMonths, method, firstDueOn, annualRatePpm: rate },
    );
    let remaining = principalFen;
    const rows = schedule.map((i) => {
      remaining -= i.principalFen;
      return { seq: i.seq, dueDate: i.dueOn, principal: yuan(i.principalFen), interest: yuan(i.interestFen), payment: yuan(i.principalFen + i.interestFen), remaining: yuan(remaining) };
    });
    const interest = schedule.reduce((s, i) => s + i.interestFen, 0);
    const officer = (await org.usersByIds([app.applicantId])).get(app.applicantId);
    const monthlyPpm = product.monthlyRatePpm ?? rate / 12;
    return {
      contractNo,
      signDate: chineseDate(shanghaiDate()),
      customerName: customer.name,
      customerIdNumber: customer.idNumberEnc ? fc.decrypt(customer.idNumberEnc) : '',
      customerPhone: fc.decrypt(customer.phoneEnc),
      customerCity: customer.city ?? '',
      applicationId: Number(app.id),
      amount: yuan(principalFen),
      amountCapital: fenToChineseCapital(principalFen),
      termMonths: app.termMonths,
      repaymentMethod: REPAYMENT_METHODS[method],
      purpose: app.purpose,
      annualRate: `${ppmToPercent(rate)}%`,
      monthlyRate: `${ppmToPercent(Math.round(monthlyPpm))}%`,
      productName: product.name,
      productType: PRODUCT_TYPES[product.type] ?? product.type,
      lenderName: product.lenderName,
      lenderKind: LENDER_KINDS[product.lenderKind] ?? product.lenderKind,
      firstDueDate: firstDueOn,
      maturityDate: maturityDate(firstDueOn, app.termMonths),
      totalInterest: yuan(interest),
      totalInterestCapital: fenToChineseCapital(interest),
      totalPayment: yuan(principalFen + interest),
      totalPaymentCapital: fenToChineseCapital(principalFen + interest),
      schedule: rows,
      brokerName: config.company.name,
      brokerCreditCode: config.company.creditCode,
      brokerAddress: config.company.address,
      brokerPhone: config.company.phone,
      officerName: officer?.name ?? '',
      generatedBy: rc.actor.name,
      product,
    };
  }

  async function names(ids: (number | null | undefined)[]) {
    return org.usersByIds(ids.filter((x): x is number => typeof x === 'number'));
  }

  const service = {
    async listTemplates(productId: number) {
      if (!(await Product.count({ where: { id: productId } }))) throw notFound('产品不存在');
      const rows = await ContractTemplate.findAll({ where: { productId }, order: [['id', 'DESC']] });
      const n = await names(rows.map((r) => r.uploadedBy));
      return rows.map((r) => templateView(r, n));
    },

    /** A .docx template for a product: refused unless docxtemplater can parse it (tags balanced). */
    async uploadTemplate(rc: RequestContext, productId: number, q: { name: string; fileName?: string }, req: UploadBody) {
      const product = await Product.findByPk(productId);
      if (!product) throw notFound('产品不存在');
      const mime = req.contentType.split(';')[0].trim().toLowerCase();
      if (mime !== DOCX_MIME && mime !== 'application/octet-stream') throw new AppError(415, 'CONTRACT_TEMPLATE_INVALID', '只能上传 Word(.docx)模板');
      if (req.contentLength && req.contentLength > MAX_TEMPLATE_BYTES) throw tooLarge(MAX_TEMPLATE_BYTES);
      const data = await readCapped(req.body, MAX_TEMPLATE_BYTES);
      let info;
      try {
        info = inspectTemplate(data);
      } catch (err) {
        if (err instanceof TemplateError) throw new AppError(422, 'CONTRACT_TEMPLATE_INVALID', err.problems.join(';'), { problems: err.problems });
        throw err;
      }
      const storageKey = key('templates', 'docx');
      await storage.put(storageKey, data);
      try {
        const row = await db.transaction(async (t) => {
          const r = await ContractTemplate.create(
            { productId, name: q.name, fileName: safeName(q.fileName ?? `${q.name}.docx`), storageKey, sizeBytes: data.length, sha256: sha256(data), placeholders: info.placeholders, enabled: true, uploadedBy: rc.actor.id },
            { transaction: t },
          );
          await audit.record(rc, { action: 'upload_contract_template', entityType: 'product', entityId: productId, after: { templateId: r.id, name: q.name, placeholders: info.placeholders } }, t);
          return r;
        });
        return { ...templateView(row, await names([row.uploadedBy])), unknownPlaceholders: info.unknown };
      } catch (err) {
        await storage.remove(storageKey).catch(() => {});
        throw err;
      }
    },

    async setTemplateEnabled(rc: RequestContext, id: number, enabled: boolean) {
      const row = await db.transaction(async (t) => {
        const r = await ContractTemplate.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!r) throw notFound('合同模板不存在');
        await r.update({ enabled }, { transaction: t });
        await audit.record(rc, { action: enabled ? 'enable_contract_template' : 'disable_contract_template', entityType: 'product', entityId: r.productId, after: { templateId: id } }, t);
        return r;
      });
      return templateView(row, await names([row.uploadedBy]));
    },

    async openTemplate(rc: RequestContext, id: number) {
      const r = await ContractTemplate.findByPk(id);
      if (!r) throw notFound('合同模板不存在');
      const stream = await storage.open(r.storageKey).catch(() => {
        throw notFound('文件已丢失,请重新上传');
      });
      return { mime: DOCX_MIME, fileName: r.fileName, sizeBytes: r.sizeBytes, stream };
    },

    async listForApplication(rc: RequestContext, applicationId: number) {
      await readableApplication(rc.actor, applicationId);
      const rows = await Contract.findAll({ where: { applicationId }, order: [['id', 'DESC']] });
      const sigs = rows.length ? await ContractSignature.findAll({ where: { contractId: rows.map((r) => r.id) }, order: [['id', 'DESC']] }) : [];
      const n = await names([...rows.map((r) => r.generatedBy), ...sigs.flatMap((s) => [s.uploadedBy, s.confirmedBy])]);
      const app = await Application.findByPk(applicationId);
      const hasTemplate = app?.productId ? (await ContractTemplate.count({ where: { productId: app.productId, enabled: true } })) > 0 : false;
      return {
        items: rows.map((c) => contractView(c, sigs.filter((s) => Number(s.contractId) === Number(c.id)), n, rc.actor)),
        canGenerate: !!app && app.status === 'approved' && !!app.productId && hasTemplate && can(rc.actor.role, 'contract.generate') && !rows.some((r) => r.status === 'signed'),
        generateHint: !app?.productId ? '进件未选择产品目录中的产品,无法套用合同模板' : !hasTemplate ? '该产品还没有可用的合同模板' : app.status !== 'approved' ? '进件审批通过后才能生成合同' : null,
      };
    },

    /** Fills the product's template for an approved application; an unsigned earlier one is voided. */
    async generate(rc: RequestContext, applicationId: number, input: GenerateContractInput) {
      const app0 = await readableApplication(rc.actor, applicationId);
      if (!app0.productId) throw new AppError(409, 'CONTRACT_NO_TEMPLATE', '进件未选择产品目录中的产品,无法套用合同模板');
      const template = input.templateId
        ? await ContractTemplate.findOne({ where: { id: input.templateId, productId: app0.productId, enabled: true } })
        : await ContractTemplate.findOne({ where: { productId: app0.productId, enabled: true }, order: [['id', 'DESC']] });
      if (!template) throw new AppError(409, 'CONTRACT_NO_TEMPLATE', input.templateId ? '所选合同模板不存在或已停用' : undefined);
      const templateBytes = await readCapped(await storage.open(template.storageKey), MAX_TEMPLATE_BYTES);
      let storedKey: string | null = null;
      try {
        const id = await db.transaction(async (t) => {
          const app = await Application.findByPk(applicationId, { transaction: t, lock: t.LOCK.UPDATE });
          if (!app || app.status !== 'approved') throw conflict('CONTRACT_NOT_GENERATABLE');
          const existing = await Contract.findAll({ where: { applicationId }, transaction: t, lock: t.LOCK.UPDATE });
          if (existing.some((c) => c.status === 'signed')) throw conflict('CONTRACT_ALREADY_SIGNED');
          if (existing.some((c) => c.status === 'awaiting_confirmation')) throw conflict('CONTRACT_STATE_CONFLICT', '已上传签署件、等待确认的合同不能重新生成;请先确认或退回');
          const product = await Product.findByPk(app.productId!, { transaction: t });
          if (!product) throw new AppError(409, 'CONTRACT_NO_TEMPLATE', '进件关联的产品已不存在');
          const rate = input.annualRatePpm ?? product.rateMinPpm;
          if (rate < product.rateMinPpm || rate > product.rateMaxPpm) {
            throw new ValidationError([{ field: 'annualRatePpm', message: `年利率应在产品范围 ${ppmToPercent(product.rateMinPpm)}%–${ppmToPercent(product.rateMaxPpm)}% 内` }]);
          }
          const today = shanghaiDate();
          const firstDueOn = input.firstDueOn ?? addMonthsClamped(today, 1);
          if (firstDueOn < today) throw new ValidationError([{ field: 'firstDueOn', message: '首期还款日不能早于今天' }]);
          const method = app.repaymentMethod ?? product.repaymentMethods[0];
          const contractNo = `HT${today.replace(/-/g, '')}${String(app.id).padStart(6, '0')}${String(existing.length + 1).padStart(2, '0')}`;
          const { product: _p, ...data } = await contractData(rc, app, contractNo, rate, firstDueOn, method, t);
          let out: Buffer;
          let masked: Buffer;
          try {
            out = renderTemplate(templateBytes, data);
            // Roles that see ID and phone masked (C28, e.g. finance) download this copy instead.
            masked = renderTemplate(templateBytes, { ...data, customerIdNumber: data.customerIdNumber ? maskIdNumber(data.customerIdNumber) : '', customerPhone: maskPhone(data.customerPhone) });
          } catch (err) {
            if (err instanceof TemplateError) throw new AppError(422, 'CONTRACT_TEMPLATE_INVALID', err.problems.join(';'));
            throw err;
          }
          storedKey = key(String(app.id), 'docx');
          await storage.put(storedKey, out);
          await storage.put(maskedKeyOf(storedKey), masked);
          const now = new Date();
          for (const c of existing.filter((x) => x.status === 'generated')) await c.update({ status: 'voided', voidedAt: now }, { transaction: t });
          const row = await Contract.create(
            {
              contractNo, applicationId, customerId: app.customerId, productId: product.id, templateId: template.id, status: 'generated', amountFen: Number(app.amountFen),
              annualRatePpm: rate, termMonths: app.termMonths, repaymentMethod: method, fileName: `${contractNo}-${safeName(data.customerName)}.docx`, storageKey: storedKey,
              sizeBytes: out.length, sha256: sha256(out), provider: 'manual', generatedBy: rc.actor.id,
            },
            { transaction: t },
          );
          await audit.record(rc, { action: 'generate_contract', entityType: 'application', entityId: applicationId, after: { contractId: Number(row.id), contractNo, templateId: template.id, annualRatePpm: rate, voided: existing.filter((x) => x.status === 'generated').map((x) => Number(x.id)) } }, t);
          return Number(row.id);
        });
        return service.get(rc, id);
      } catch (err) {
        if (storedKey) await Promise.all([storage.remove(storedKey), storage.remove(maskedKeyOf(storedKey))]).catch(() => {});
        throw err;
      }
    },

    async get(rc: RequestContext, id: number) {
      const c = await readableContract(rc.actor, id);
      const sigs = await ContractSignature.findAll({ where: { contractId: id }, order: [['id', 'DESC']] });
      return contractView(c, sigs, await names([c.generatedBy, ...sigs.flatMap((s) => [s.uploadedBy, s.confirmedBy])]), rc.actor);
    },

    async openFile(rc: RequestContext, id: number): Promise<{ mime: string; fileName: string; sizeBytes: number; stream: Readable }> {
      const c = await readableContract(rc.actor, id);
      // The contract carries the full ID number and phone: a role that sees them masked gets the masked copy.
      const masked = FIELD_ACCESS[rc.actor.role].idNumber === 'masked' || FIELD_ACCESS[rc.actor.role].phone === 'masked';
      const fileKey = masked ? maskedKeyOf(c.storageKey) : c.storageKey;
      const opened = await storage.open(fileKey).catch(() => {
        throw notFound('文件已丢失');
      });
      // The masked copy's size is not on the row: read it (a contract is tens of KB).
      const bytes = masked ? await readCapped(opened, MAX_TEMPLATE_BYTES * 4) : null;
      await audit.record(rc, { action: 'read_contract', entityType: 'application', entityId: Number(c.applicationId), after: { contractId: id, masked } });
      return { mime: DOCX_MIME, fileName: c.fileName, sizeBytes: bytes ? bytes.length : c.sizeBytes, stream: bytes ? Readable.from([bytes]) : opened };
    },

    async openSignature(rc: RequestContext, id: number, signatureId: number) {
      const c = await readableContract(rc.actor, id);
      const s = await ContractSignature.findOne({ where: { id: signatureId, contractId: c.id } });
      if (!s?.storageKey) throw notFound('签署件不存在');
      // A scan cannot be masked: roles that see ID numbers masked do not open it (they confirm against the paper original).
      if (FIELD_ACCESS[rc.actor.role].idNumber === 'masked') throw new AppError(403, 'FIELD_NOT_REVEALABLE', '签署件含借款人身份证号,当前角色无权查看;请核对纸质原件');
      const stream = await storage.open(s.storageKey).catch(() => {
        throw notFound('文件已丢失');
      });
      await audit.record(rc, { action: 'read_signed_contract', entityType: 'application', entityId: Number(c.applicationId), after: { contractId: id, signatureId } });
      return { mime: s.mime!, fileName: s.fileName!, sizeBytes: s.sizeBytes!, stream };
    },

    /** Manual provider: the signed scan (PDF / JPG / PNG, checked by its bytes); the contract then waits for a second person. */
    async uploadSigned(rc: RequestContext, id: number, q: { fileName?: string }, req: UploadBody) {
      await readableContract(rc.actor, id);
      const mime = req.contentType.split(';')[0].trim().toLowerCase();
      if (!(mime in SIGNED_SCAN_MIME_TYPES)) throw new AppError(415, 'DOCUMENT_TYPE_NOT_ALLOWED', '签署件只能是 PDF、JPG 或 PNG 文件');
      if (req.contentLength && req.contentLength > maxScan) throw tooLarge(maxScan);
      const data = await readCapped(req.body, maxScan);
      if (data.length === 0) throw new ValidationError([{ field: 'file', message: '文件是空的' }]);
      if (!sniffMatches(mime as SignedScanMime, data)) throw new AppError(415, 'DOCUMENT_TYPE_NOT_ALLOWED', '文件内容与类型不符:签署件只能是 PDF、JPG 或 PNG 文件');
      const ext = SIGNED_SCAN_MIME_TYPES[mime as SignedScanMime];
      const storageKey = key('signed', ext);
      await storage.put(storageKey, data);
      try {
        await db.transaction(async (t) => {
          const c = await Contract.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
          if (!c) throw notFound('合同不存在或无权查看');
          if (c.status !== 'generated') throw conflict('CONTRACT_STATE_CONFLICT', `合同${CONTRACT_STATUSES[c.status]},不能上传签署件`, { status: c.status });
          const s = await ContractSignature.create(
            { contractId: id, provider: c.provider, status: 'uploaded', fileName: safeName(q.fileName ?? `${c.contractNo}-签署件.${ext}`), mime, storageKey, sizeBytes: data.length, sha256: sha256(data), uploadedBy: rc.actor.id },
            { transaction: t },
          );
          await c.update({ status: 'awaiting_confirmation' }, { transaction: t });
          await audit.record(rc, { action: 'upload_signed_contract', entityType: 'application', entityId: Number(c.applicationId), after: { contractId: id, signatureId: Number(s.id) } }, t);
        });
      } catch (err) {
        await storage.remove(storageKey).catch(() => {});
        throw err;
      }
      return service.get(rc, id);
    },

    /** A second person confirms the scan: contract signed, customer 审批中 → 已签约, ContractSigned — one transaction. */
    async confirm(rc: RequestContext, id: number) {
      await db.transaction(async (t) => {
        const c = await readableContract(rc.actor, id, t);
        if (c.status !== 'awaiting_confirmation') throw conflict('CONTRACT_STATE_CONFLICT', `合同${CONTRACT_STATUSES[c.status]},无需确认`, { status: c.status });
        const s = await ContractSignature.findOne({ where: { contractId: id, status: 'uploaded' }, order: [['id', 'DESC']], transaction: t, lock: t.LOCK.UPDATE });
        if (!s) throw conflict('CONTRACT_STATE_CONFLICT', '没有待确认的签署件');
        const problem = SIGNATURE_PROVIDER_IMPLS[c.provider].confirmProblem({ uploadedBy: s.uploadedBy, confirmedBy: null }, rc.actor);
        if (problem) throw new AppError(403, 'CONTRACT_SECOND_PERSON', problem);
        const now = new Date();
        await s.update({ status: 'confirmed', confirmedBy: rc.actor.id, confirmedAt: now }, { transaction: t });
        await c.update({ status: 'signed', signedAt: now }, { transaction: t });
        const customer = await Customer.findByPk(c.customerId, { transaction: t, attributes: ['id', 'stage'] });
        if (customer?.stage === 'under_approval') {
          await customers.changeStage(rc, Number(c.customerId), { to: 'signed', reason: `合同 ${c.contractNo} 已签署` }, { transaction: t, system: true });
        }
        await audit.record(rc, { action: 'confirm_signed_contract', entityType: 'application', entityId: Number(c.applicationId), after: { contractId: id, signatureId: Number(s.id), uploadedBy: s.uploadedBy } }, t);
        await events.emit(
          {
            type: EVENT_TYPES.ContractSigned, aggregateType: 'application', aggregateId: Number(c.applicationId), actorId: rc.actor.id,
            payload: { contractId: id, contractNo: c.contractNo, applicationId: Number(c.applicationId), customerId: Number(c.customerId), productId: c.productId, amountFen: Number(c.amountFen), signedAt: now.toISOString() },
          },
          t,
        );
      });
      return service.get(rc, id);
    },

    /** The scan is not acceptable (wrong page, unsigned): back to 待签署 so a new scan can be uploaded. */
    async reject(rc: RequestContext, id: number, reason: string) {
      await db.transaction(async (t) => {
        const c = await readableContract(rc.actor, id, t);
        if (c.status !== 'awaiting_confirmation') throw conflict('CONTRACT_STATE_CONFLICT', `合同${CONTRACT_STATUSES[c.status]},无需确认`, { status: c.status });
        const s = await ContractSignature.findOne({ where: { contractId: id, status: 'uploaded' }, order: [['id', 'DESC']], transaction: t, lock: t.LOCK.UPDATE });
        if (!s) throw conflict('CONTRACT_STATE_CONFLICT', '没有待确认的签署件');
        if (s.uploadedBy === rc.actor.id) throw forbidden('签署件须由上传人以外的另一人审核');
        await s.update({ status: 'rejected', confirmedBy: rc.actor.id, confirmedAt: new Date(), rejectReason: reason }, { transaction: t });
        await c.update({ status: 'generated' }, { transaction: t });
        await audit.record(rc, { action: 'reject_signed_contract', entityType: 'application', entityId: Number(c.applicationId), after: { contractId: id, signatureId: Number(s.id), reason } }, t);
      });
      return service.get(rc, id);
    },
  };
  return service;
}
export type ContractService = ReturnType<typeof createContractService>;
