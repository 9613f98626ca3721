// The product catalogue and 匹配产品 over HTTP on a real database (C14): admin-only, audited CRUD
// whose bad input (ranges, methods, eligibility) is 422 in Chinese and changes nothing; matching
// for a customer or an application with failed-condition reasons, scoped (another team's customer
// is 404); an application that picks a product must fit its amount, term and method.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeIdNumber, type Client, type TestApp } from '../helpers/test-app';
import { count, createCustomer, expectError, expectValidation, rows } from '../helpers/fixtures';
import { applicationInput, readyCustomer } from '../helpers/applications';

let t: TestApp;
let admin: Client; // 王敏
let zhang: Client; // 信贷员, 杭州一部
let he: Client; // 信贷员, 杭州二部
let codeSeq = 1;

beforeAll(async () => {
  t = await createTestApp();
  [admin, zhang, he] = await Promise.all(['王敏', '张伟', '何丹'].map((n) => t.loginAs(n)));
});
afterAll(async () => {
  await t?.close();
});

export function productInput(over: Record<string, unknown> = {}) {
  return {
    code: `P${codeSeq++}`, name: '工薪贷', lenderKind: 'bank', lenderName: '杭州银行', type: 'credit',
    rateMinPpm: 60_000, rateMaxPpm: 120_000, termMinMonths: 6, termMaxMonths: 36, amountMinFen: 5_000_000, amountMaxFen: 50_000_000,
    repaymentMethods: ['equal_installment', 'equal_principal'], requiredDocuments: ['id_card', 'income'], ...over,
  };
}
async function createProduct(over: Record<string, unknown> = {}) {
  const res = await admin.post('/api/v1/products', productInput(over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; code: string; name: string };
}

describe('catalogue', () => {
  it('only admins create or edit; everyone signed in lists the enabled ones', async () => {
    expectError(await zhang.post('/api/v1/products', productInput()), 403, 'FORBIDDEN');
    const p = await createProduct({ name: '房易贷', type: 'house', eligibility: { match: 'all', conditions: [{ field: 'customer.collateral', op: 'eq', value: 'house' }] } });
    expect(p).toMatchObject({ name: '房易贷', typeName: '房抵', lenderKindName: '银行', rateText: '6%–12%', amountText: '50,000.00–500,000.00 元', repaymentMethodNames: ['等额本息', '等额本金'] });
    const audit = await rows(t, "SELECT action, actor_id FROM audit_logs WHERE entity_type = 'product' AND entity_id = ?", [String(p.id)]);
    expect(audit).toEqual([{ action: 'create', actor_id: await t.userId('王敏') }]);
    expectError(await zhang.patch(`/api/v1/products/${p.id}`, { name: 'x' }), 403, 'FORBIDDEN');

    const off = await createProduct({ enabled: false, name: '停用产品' });
    const list = await zhang.get('/api/v1/products');
    expect(list.status).toBe(200);
    expect(list.body.map((x: { id: number }) => x.id)).toContain(p.id);
    expect(list.body.map((x: { id: number }) => x.id)).not.toContain(off.id);
    expect((await zhang.get('/api/v1/products?all=1')).body.map((x: { id: number }) => x.id)).not.toContain(off.id);
    expect((await admin.get('/api/v1/products?all=1')).body.map((x: { id: number }) => x.id)).toContain(off.id);
    expectError(await zhang.get(`/api/v1/products/${off.id}`), 404, 'NOT_FOUND');
  });

  it('bad input is 422 naming the field in Chinese and writes nothing', async () => {
    const before = await count(t, 'products');
    expectValidation(await admin.post('/api/v1/products', productInput({ rateMinPpm: 130_000 })), 'rateMaxPpm');
    expectValidation(await admin.post('/api/v1/products', productInput({ amountMinFen: 50_000_001 })), 'amountMaxFen');
    expectValidation(await admin.post('/api/v1/products', productInput({ termMinMonths: 37 })), 'termMaxMonths');
    expectValidation(await admin.post('/api/v1/products', productInput({ repaymentMethods: [] })), 'repaymentMethods');
    expectValidation(await admin.post('/api/v1/products', productInput({ repaymentMethods: ['weekly'] })));
    expectValidation(await admin.post('/api/v1/products', productInput({ amountMinFen: 100.5 })), 'amountMinFen');
    expectValidation(await admin.post('/api/v1/products', productInput({ type: 'payday' })), 'type');
    // Eligibility goes through the rule language's schema.
    expectValidation(await admin.post('/api/v1/products', productInput({ eligibility: { match: 'all', conditions: [{ field: 'customer.shoeSize', op: 'eq', value: 1 }] } })));
    expectValidation(await admin.post('/api/v1/products', productInput({ eligibility: { match: 'all', conditions: [{ field: 'customer.monthlyIncomeFen', op: 'gte', value: '一万' }] } })));
    expectValidation(await admin.post('/api/v1/products', productInput({ eligibility: { match: 'all', conditions: [{ field: 'customer.idNumber', op: 'age_from_id', value: { min: 60, max: 22 } }] } })));
    const followup = await admin.post('/api/v1/products', productInput({ eligibility: { match: 'all', conditions: [{ field: 'followup.type', op: 'eq', value: 'call' }] } }));
    expectValidation(followup);
    expect(followup.body.error.message).toContain('跟进字段');
    expect(await count(t, 'products')).toBe(before);
    expect(await count(t, 'audit_logs', "entity_type = 'product' AND action = 'create'")).toBe(before);
  });

  it('a duplicate code is 409; an edit that crosses the stored range is 422 and changes nothing; a good edit is audited', async () => {
    const p = await createProduct();
    expectError(await admin.post('/api/v1/products', productInput({ code: p.code })), 409, 'PRODUCT_CODE_EXISTS');
    expectValidation(await admin.patch(`/api/v1/products/${p.id}`, { amountMinFen: 60_000_000 }), 'amountMaxFen');
    expectValidation(await admin.patch(`/api/v1/products/${p.id}`, {}));
    expect((await admin.get(`/api/v1/products/${p.id}`)).body.amountMinFen).toBe(5_000_000);
    const ok = await admin.patch(`/api/v1/products/${p.id}`, { amountMinFen: 6_000_000, rateMinPpm: 55_000 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ amountMinFen: 6_000_000, rateMinPpm: 55_000 });
    const [row] = await rows(t, "SELECT before_data, after_data FROM audit_logs WHERE entity_type = 'product' AND entity_id = ? AND action = 'update'", [String(p.id)]);
    expect(JSON.parse(String(row.before_data))).toEqual({ amountMinFen: 5_000_000, rateMinPpm: 60_000 });
  });
});

describe('匹配产品', () => {
  let cheap: { id: number }, dear: { id: number }, incomeBar: { id: number }, ageBar: { id: number }, small: { id: number };
  beforeAll(async () => {
    await t.deps.db.models.Product.update({ enabled: false }, { where: {} }); // only this block's products
    cheap = await createProduct({ name: '低息信用贷', rateMinPpm: 45_000 });
    dear = await createProduct({ name: '高息信用贷', rateMinPpm: 90_000 });
    incomeBar = await createProduct({ name: '白领贷', rateMinPpm: 40_000, eligibility: { match: 'all', conditions: [{ field: 'customer.monthlyIncomeFen', op: 'gte', value: 1_000_000 }] } });
    ageBar = await createProduct({ name: '青年贷', eligibility: { match: 'all', conditions: [{ field: 'customer.idNumber', op: 'age_from_id', value: { min: 22, max: 60 } }] } });
    small = await createProduct({ name: '小额贷', amountMinFen: 100_000, amountMaxFen: 2_000_000 });
  });

  it('lists qualified products by lowest rate and explains the others', async () => {
    const c = await createCustomer(zhang, { monthlyIncomeFen: 800_000, loanAmountFen: 10_000_000, loanTermMonths: 12 });
    const res = await zhang.get(`/api/v1/customers/${c.id}/product-matches`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.request).toMatchObject({ amountFen: 10_000_000, termMonths: 12, amountText: '100,000.00 元' });
    const items = res.body.items as { product: { id: number; name: string }; qualified: boolean; reasons: { text: string; unknown: boolean }[] }[];
    expect(items.filter((i) => i.qualified).map((i) => i.product.id)).toEqual([cheap.id, dear.id]);
    expect(res.body.qualifiedCount).toBe(2);
    const why = Object.fromEntries(items.filter((i) => !i.qualified).map((i) => [i.product.name, i.reasons]));
    expect(why['白领贷']).toEqual([{ field: 'customer.monthlyIncomeFen', text: '月收入 8,000.00 元,低于 10,000.00 元', unknown: false }]);
    expect(why['青年贷']).toEqual([{ field: 'customer.idNumber', text: '缺少「身份证号」,无法判断', unknown: true }]);
    expect(why['小额贷'][0].text).toBe('申请金额 100,000.00 元,高于产品最高额度 20,000.00 元');
  });

  it('the query overrides the customer\'s wish; bad query values are 422', async () => {
    const born = `${Number(new Date().getUTCFullYear()) - 30}0101`;
    const c = await createCustomer(zhang, { monthlyIncomeFen: 1_000_000, idNumber: makeIdNumber(born, '330106', '777') });
    const res = await zhang.get(`/api/v1/customers/${c.id}/product-matches?amountFen=1500000&termMonths=12`);
    expect(res.status).toBe(200);
    const qualified = res.body.items.filter((i: { qualified: boolean }) => i.qualified).map((i: { product: { id: number } }) => i.product.id);
    expect(qualified).toEqual([small.id]); // 1.5万 is under every other product's minimum
    const full = await zhang.get(`/api/v1/customers/${c.id}/product-matches?amountFen=10000000&termMonths=12`);
    expect(full.body.items.filter((i: { qualified: boolean }) => i.qualified).map((i: { product: { id: number } }) => i.product.id)).toEqual([incomeBar.id, cheap.id, ageBar.id, dear.id]);
    expectValidation(await zhang.get(`/api/v1/customers/${c.id}/product-matches?amountFen=abc`), 'amountFen');
    expectValidation(await zhang.get(`/api/v1/customers/${c.id}/product-matches?termMonths=0`), 'termMonths');
  });

  it('职业 and 征信情况 are customer fields the eligibility tests (bad values are 422)', async () => {
    expectValidation(await zhang.post('/api/v1/customers', { name: '赵敏', phone: '13900001111', channel: 'douyin', occupation: 'nurse' }), 'occupation');
    expectValidation(await zhang.post('/api/v1/customers', { name: '赵敏', phone: '13900001112', channel: 'douyin', creditStatus: 'bad' }), 'creditStatus');
    const bar = await createProduct({ name: '公务员贷', rateMinPpm: 30_000, eligibility: { match: 'all', conditions: [
      { field: 'customer.occupation', op: 'eq', value: 'civil_servant' }, { field: 'customer.creditStatus', op: 'in', value: ['good'] },
    ] } });
    const c = await createCustomer(zhang, { occupation: 'freelancer', creditStatus: 'minor_overdue', creditNotes: '两年内逾期 2 次', loanAmountFen: 10_000_000, loanTermMonths: 12 });
    expect(c.body).toMatchObject({ occupationName: '自由职业', creditStatusName: '少量逾期', creditNotes: '两年内逾期 2 次' });
    const res = await zhang.get(`/api/v1/customers/${c.id}/product-matches`);
    const mine = res.body.items.find((i: { product: { id: number } }) => i.product.id === bar.id);
    expect(mine.reasons.map((r: { text: string }) => r.text)).toEqual(['职业为「自由职业」,要求为「公务员/事业单位」', '征信情况为「少量逾期」,不在可接受范围(征信良好)内']);
    expect((await zhang.patch(`/api/v1/customers/${c.id}`, { occupation: 'civil_servant', creditStatus: 'good' })).status).toBe(200);
    const after = await zhang.get(`/api/v1/customers/${c.id}/product-matches`);
    expect(after.body.items[0]).toMatchObject({ product: { id: bar.id }, qualified: true }); // now first: the lowest rate
    await admin.patch(`/api/v1/products/${bar.id}`, { enabled: false });
  });

  it('another team\'s customer is not found', async () => {
    const c = await createCustomer(zhang);
    expectError(await he.get(`/api/v1/customers/${c.id}/product-matches`), 404, 'NOT_FOUND');
    expect((await admin.get(`/api/v1/customers/${c.id}/product-matches`)).status).toBe(200);
  });

  it('matches from an application with its amount, term and method; scoped the same way', async () => {
    const c = await readyCustomer(zhang, { monthlyIncomeFen: 2_000_000 });
    const app = await zhang.post('/api/v1/applications', applicationInput(c.id, { amountFen: 10_000_000, termMonths: 12, repaymentMethod: 'interest_first' }));
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const res = await zhang.get(`/api/v1/applications/${app.body.id}/product-matches`);
    expect(res.status).toBe(200);
    expect(res.body.qualifiedCount).toBe(0); // nobody offers 先息后本 here
    expect(res.body.items[0].reasons.map((r: { field: string }) => r.field)).toContain('repaymentMethod');
    const eq = await zhang.get(`/api/v1/applications/${app.body.id}/product-matches?repaymentMethod=equal_installment`);
    expect(eq.body.items.filter((i: { qualified: boolean }) => i.qualified).map((i: { product: { id: number } }) => i.product.id)).toEqual([incomeBar.id, cheap.id, dear.id]);
    expectError(await he.get(`/api/v1/applications/${app.body.id}/product-matches`), 404, 'NOT_FOUND');
  });
});

describe('an application picks a product', () => {
  it('fills the product name, and refuses amount, term or method outside the product (nothing written)', async () => {
    const p = await createProduct({ name: '目录产品' });
    const c = await readyCustomer(zhang);
    const before = await count(t, 'applications');
    const input = (over: Record<string, unknown>) => ({ ...applicationInput(c.id, { productId: p.id, amountFen: 10_000_000, termMonths: 12 }), product: undefined, ...over });
    expectValidation(await zhang.post('/api/v1/applications', input({ amountFen: 4_999_999 })), 'amountFen');
    expectValidation(await zhang.post('/api/v1/applications', input({ amountFen: 50_000_001 })), 'amountFen');
    expectValidation(await zhang.post('/api/v1/applications', input({ termMonths: 37 })), 'termMonths');
    expectValidation(await zhang.post('/api/v1/applications', input({ repaymentMethod: 'bullet' })), 'repaymentMethod');
    expectValidation(await zhang.post('/api/v1/applications', input({ productId: 999_999 })), 'productId');
    expectValidation(await zhang.post('/api/v1/applications', { ...input({}), productId: undefined }), 'product');
    expect(await count(t, 'applications')).toBe(before);

    const ok = await zhang.post('/api/v1/applications', input({ amountFen: 5_000_000 }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ product: '目录产品', productId: p.id, amountFen: 5_000_000 });
    // An edit is checked against the product too; a free-text product lets go of it.
    expectValidation(await zhang.patch(`/api/v1/applications/${ok.body.id}`, { amountFen: 60_000_000 }), 'amountFen');
    const free = await zhang.patch(`/api/v1/applications/${ok.body.id}`, { product: '其他机构产品', amountFen: 60_000_000 });
    expect(free.status, JSON.stringify(free.body)).toBe(200);
    expect(free.body).toMatchObject({ product: '其他机构产品', productId: null, amountFen: 60_000_000 });

    // A draft on the product is re-checked at submission: narrowing the product's range stops it (nothing moves).
    const draft = await zhang.post('/api/v1/applications', input({ amountFen: 40_000_000 }));
    expect(draft.status).toBe(201);
    await admin.patch(`/api/v1/products/${p.id}`, { amountMaxFen: 30_000_000 });
    expectValidation(await zhang.post(`/api/v1/applications/${draft.body.id}/submit`, {}), 'amountFen');
    expect((await zhang.get(`/api/v1/applications/${draft.body.id}`)).body.status).toBe('draft');
    await admin.patch(`/api/v1/products/${p.id}`, { amountMaxFen: 50_000_000 });
    expect((await zhang.post(`/api/v1/applications/${draft.body.id}/submit`, {})).status).toBe(200);

    await admin.patch(`/api/v1/products/${p.id}`, { enabled: false });
    expectValidation(await zhang.post('/api/v1/applications', input({})), 'productId');
  });

  it('old-style applications with only a product name still work', async () => {
    const c = await readyCustomer(zhang);
    const res = await zhang.post('/api/v1/applications', applicationInput(c.id));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ product: '房抵贷', productId: null });
  });
});
