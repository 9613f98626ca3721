// Demo product catalogue (C14): seven realistic products across banks, consumer-finance and
// 小贷 companies and every product type, with eligibility in the rule language, and the sample
// contract template (contract-template.ts) on each, so 匹配产品 and 生成合同 work after `npm start`.
import crypto from 'node:crypto';
import type { Deps } from '../../server/src/deps';
import type { CreateProductInput } from '../../server/src/contracts/products';
import { inspectTemplate } from '../../server/src/modules/contracts/contract.render';
import { createDiskStorage } from '../../server/src/modules/applications/documents.storage';
import { sampleContractTemplate } from './contract-template';

const age = (min: number, max: number) => ({ field: 'customer.idNumber', op: 'age_from_id', value: { min, max } }) as const;
const income = (fen: number) => ({ field: 'customer.monthlyIncomeFen', op: 'gte', value: fen }) as const;
const credit = (ok: string[]) => ({ field: 'customer.creditStatus', op: 'in', value: ok }) as const;

export const DEMO_PRODUCTS: CreateProductInput[] = [
  {
    code: 'HZB-HOUSE', name: '杭银房易贷', lenderKind: 'bank', lenderName: '杭州银行', type: 'house', rateMinPpm: 34_500, rateMaxPpm: 48_000,
    termMinMonths: 12, termMaxMonths: 120, amountMinFen: 30_000_000, amountMaxFen: 1_000_000_000, repaymentMethods: ['equal_installment', 'equal_principal', 'interest_first'],
    monthlyRatePpm: null, penaltyDailyRatePpm: 500, requiredDocuments: ['id_card', 'property', 'bank_statement', 'credit_report'], enabled: true, sortOrder: 10,
    description: '杭州、苏州住宅抵押,一抵最高评估价七成', eligibility: { match: 'all', conditions: [age(22, 65), { field: 'customer.collateral', op: 'eq', value: 'house' }, { field: 'customer.city', op: 'matches_region', value: ['杭州', '苏州'] }, credit(['good', 'minor_overdue', 'no_record'])] },
  },
  {
    code: 'NBB-BIZ', name: '宁银经营快贷', lenderKind: 'bank', lenderName: '宁波银行', type: 'business', rateMinPpm: 39_000, rateMaxPpm: 72_000,
    termMinMonths: 12, termMaxMonths: 36, amountMinFen: 10_000_000, amountMaxFen: 300_000_000, repaymentMethods: ['interest_first', 'equal_installment'],
    monthlyRatePpm: null, penaltyDailyRatePpm: 500, requiredDocuments: ['id_card', 'business_license', 'bank_statement'], enabled: true, sortOrder: 20,
    description: '企业主、个体户经营周转,需营业执照满一年', eligibility: { match: 'all', conditions: [age(25, 60), { field: 'customer.occupation', op: 'in', value: ['business_owner', 'self_employed'] }, credit(['good', 'minor_overdue'])] },
  },
  {
    code: 'ZSB-SALARY', name: '招行闪电贷', lenderKind: 'bank', lenderName: '招商银行', type: 'credit', rateMinPpm: 32_000, rateMaxPpm: 108_000,
    termMinMonths: 6, termMaxMonths: 36, amountMinFen: 1_000_000, amountMaxFen: 30_000_000, repaymentMethods: ['equal_installment', 'equal_principal'],
    monthlyRatePpm: null, penaltyDailyRatePpm: null, requiredDocuments: ['id_card', 'income'], enabled: true, sortOrder: 30,
    description: '公积金或代发工资客户,纯线上审批', eligibility: { match: 'all', conditions: [age(22, 55), income(800_000), { field: 'customer.occupation', op: 'in', value: ['employee', 'civil_servant'] }, credit(['good'])] },
  },
  {
    code: 'MSXF-CREDIT', name: '马上消费安逸花', lenderKind: 'consumer_finance', lenderName: '马上消费金融', type: 'credit', rateMinPpm: 72_000, rateMaxPpm: 239_000,
    termMinMonths: 3, termMaxMonths: 24, amountMinFen: 100_000, amountMaxFen: 20_000_000, repaymentMethods: ['equal_installment'],
    monthlyRatePpm: null, penaltyDailyRatePpm: 500, requiredDocuments: ['id_card'], enabled: true, sortOrder: 40,
    description: '征信一般也可申请,额度较低', eligibility: { match: 'all', conditions: [age(20, 55), income(300_000)] },
  },
  {
    code: 'PAPH-CAR', name: '平安车主贷', lenderKind: 'consumer_finance', lenderName: '平安普惠', type: 'vehicle', rateMinPpm: 96_000, rateMaxPpm: 180_000,
    termMinMonths: 12, termMaxMonths: 36, amountMinFen: 3_000_000, amountMaxFen: 50_000_000, repaymentMethods: ['equal_installment', 'interest_first'],
    monthlyRatePpm: null, penaltyDailyRatePpm: 500, requiredDocuments: ['id_card', 'vehicle'], enabled: true, sortOrder: 50,
    description: '全款车或按揭已结清车辆,车龄 10 年以内', eligibility: { match: 'all', conditions: [age(22, 60), { field: 'customer.collateral', op: 'eq', value: 'vehicle' }] },
  },
  {
    code: 'TPY-POLICY', name: '太平洋保单贷', lenderKind: 'microloan', lenderName: '杭州蚂蚁小贷', type: 'policy', rateMinPpm: 86_000, rateMaxPpm: 150_000,
    termMinMonths: 6, termMaxMonths: 36, amountMinFen: 2_000_000, amountMaxFen: 50_000_000, repaymentMethods: ['equal_installment'],
    monthlyRatePpm: null, penaltyDailyRatePpm: 600, requiredDocuments: ['id_card', 'other'], enabled: true, sortOrder: 60,
    description: '寿险保单年缴保费 2,400 元以上,已缴满一年', eligibility: { match: 'all', conditions: [age(22, 60), { field: 'customer.collateral', op: 'eq', value: 'policy' }] },
  },
  {
    code: 'XD-BRIDGE', name: '融通过桥贷', lenderKind: 'microloan', lenderName: '浙江融通小额贷款', type: 'house', rateMinPpm: 150_000, rateMaxPpm: 240_000,
    termMinMonths: 1, termMaxMonths: 6, amountMinFen: 20_000_000, amountMaxFen: 500_000_000, repaymentMethods: ['bullet', 'interest_first'],
    monthlyRatePpm: 15_000, penaltyDailyRatePpm: 1_000, requiredDocuments: ['id_card', 'property'], enabled: false, sortOrder: 70,
    description: '短期过桥(已暂停合作)', eligibility: { match: 'all', conditions: [{ field: 'customer.collateral', op: 'eq', value: 'house' }] },
  },
];

export async function seedDemoProducts(deps: Deps) {
  const { Product, ContractTemplate, User } = deps.db.models;
  if (await Product.count()) return;
  const admin = await User.findOne({ where: { role: 'admin' } });
  const storage = createDiskStorage(deps.config.applications.filesDir);
  const template = sampleContractTemplate();
  const placeholders = inspectTemplate(template).placeholders;
  // Demo customers get an occupation and a credit standing, so eligibility has facts to test.
  await deps.db.sequelize.query(
    "UPDATE customers SET occupation = CASE id % 6 WHEN 0 THEN 'employee' WHEN 1 THEN 'business_owner' WHEN 2 THEN 'self_employed' WHEN 3 THEN 'civil_servant' WHEN 4 THEN 'employee' ELSE 'freelancer' END, " +
      "credit_status = CASE id % 7 WHEN 0 THEN 'minor_overdue' WHEN 3 THEN 'no_record' WHEN 5 THEN 'serious_overdue' ELSE 'good' END WHERE occupation IS NULL",
  );
  for (const p of DEMO_PRODUCTS) {
    const row = await Product.create({ ...p, eligibility: p.eligibility ?? null, createdBy: admin?.id ?? null, updatedBy: admin?.id ?? null });
    const storageKey = `contracts/templates/${crypto.randomBytes(16).toString('hex')}.docx`;
    await storage.put(storageKey, template);
    await ContractTemplate.create({
      productId: row.id, name: '借款居间服务合同(示例)', fileName: '借款居间服务合同.docx', storageKey, sizeBytes: template.length,
      sha256: crypto.createHash('sha256').update(template).digest('hex'), placeholders, enabled: true, uploadedBy: admin?.id ?? 0,
    });
  }
}

/**
 * The demo's applications were written before the catalogue existed in the seed order: link the
 * approved ones to a product of their collateral's type (one whose limits fit when there is one),
 * so 生成合同 works on them after `npm start`.
 */
export async function linkDemoApplications(deps: Deps) {
  const { Product, Application, Loan } = deps.db.models;
  const products = await Product.findAll({ where: { enabled: true }, order: [['sortOrder', 'ASC']] });
  const typeOf: Record<string, string> = { house: 'house', vehicle: 'vehicle', policy: 'policy', credit: 'credit', other: 'business' };
  const apps = await Application.findAll({ where: { status: 'approved', productId: null } });
  for (const a of apps) {
    const sameType = products.filter((p) => p.type === typeOf[a.collateral ?? 'other']);
    const fits = sameType.find((p) => Number(a.amountFen) >= Number(p.amountMinFen) && Number(a.amountFen) <= Number(p.amountMaxFen) && a.termMonths >= p.termMinMonths && a.termMonths <= p.termMaxMonths);
    const p = fits ?? sameType[0] ?? products[0];
    if (p) {
      await a.update({ productId: p.id, product: p.name });
      // A demo loan made from this application shows the same catalogue product (commission rules per product).
      await Loan.update({ productId: p.id }, { where: { applicationId: a.id, productId: null } });
    }
  }
}
