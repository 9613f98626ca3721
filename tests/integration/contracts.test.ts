// Contracts and manual signing over HTTP on a real database (C15): template upload (admins; a
// non-docx or a template with broken tags is refused), generation for an approved application
// only (the stored .docx read back with pizzip holds the customer, amount, 大写金额, broker and
// every schedule row), scope, the signed scan uploaded and confirmed by a second person only,
// then contract signed, customer 已签约 and ContractSigned emitted in one go.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { createTestApp, makeIdNumber, type Client, type TestApp } from '../helpers/test-app';
import { count, customerRow, expectError, expectValidation, rows } from '../helpers/fixtures';
import { applicationInput, approve, readyCustomer } from '../helpers/applications';
import { docxFromDocumentXml, sampleContractTemplate, sampleContractTemplateXml } from '../../sql/seeds/contract-template';
import { docxText } from '../../server/src/modules/contracts/contract.render';
import { addMonthsClamped, buildSchedule } from '../../server/src/modules/loans/schedule';
import { shanghaiDate } from '../../server/src/contracts/dates';
import { formatFen } from '../../server/src/contracts/money';
import { DOCX_MIME } from '../../server/src/contracts/contracts';

let t: TestApp;
let admin: Client, zhang: Client, wu: Client, li: Client, sun: Client, he: Client;
let productId: number;
const FILES = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-contract-files-'));
const PDF = Buffer.from('%PDF-1.4\n% signed contract scan\n'.repeat(20));
const xhr = { 'X-Requested-With': 'XMLHttpRequest' };

function binary(res: request.Response & { on?: never }, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (res as unknown as NodeJS.ReadableStream).on('end', () => cb(null, Buffer.concat(chunks)));
}
const uploadTemplate = (c: Client, pid: number, data: Buffer, type = DOCX_MIME, name = '标准借款合同') =>
  c.agent.post(`/api/v1/products/${pid}/contract-templates?name=${encodeURIComponent(name)}`).set(xhr).set('Content-Type', type).send(data);
const uploadScan = (c: Client, id: number, data: Buffer, type = 'application/pdf') => c.agent.post(`/api/v1/contracts/${id}/signed-scan`).set(xhr).set('Content-Type', type).send(data);
const download = (c: Client, url: string) => c.agent.get(url).buffer(true).parse(binary as never);

beforeAll(async () => {
  t = await createTestApp({ env: { APPLICATION_FILES_DIR: FILES, COMPANY_NAME: '杭州融信咨询服务有限公司', COMPANY_CREDIT_CODE: '91330106MA2TEST01X' } });
  [admin, zhang, wu, li, sun, he] = await Promise.all(['王敏', '张伟', '吴婷', '李娜', '孙丽', '何丹'].map((n) => t.loginAs(n)));
  const p = await admin.post('/api/v1/products', {
    code: 'HZ-CREDIT', name: '杭银工薪贷', lenderKind: 'bank', lenderName: '杭州银行', type: 'credit', rateMinPpm: 72_000, rateMaxPpm: 120_000,
    termMinMonths: 6, termMaxMonths: 36, amountMinFen: 5_000_000, amountMaxFen: 50_000_000, repaymentMethods: ['equal_installment', 'equal_principal'],
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  productId = p.body.id;
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(FILES, { recursive: true, force: true });
});

/** An application of 张伟's for 30万, 12 months, 等额本息 on the product; approved unless told not to. */
async function application(opts: { approved?: boolean } = {}) {
  const c = await readyCustomer(zhang, { name: '陈美玲', idNumber: makeIdNumber('19880512', '330106', String(100 + Math.floor(Math.random() * 800))) });
  const res = await zhang.post('/api/v1/applications', { ...applicationInput(c.id, { productId, amountFen: 30_000_000, termMonths: 12, repaymentMethod: 'equal_installment', submit: true }), product: undefined });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  if (opts.approved !== false) {
    await approve(wu, res.body.id);
    await approve(li, res.body.id);
    expect((await zhang.get(`/api/v1/applications/${res.body.id}`)).body.status).toBe('approved');
  }
  return { customerId: c.id, id: res.body.id as number };
}

describe('templates', () => {
  it('refuses non-docx files and templates with broken tags (nothing stored); officers cannot upload', async () => {
    expectError(await uploadTemplate(admin, productId, Buffer.from('not a zip at all'), 'text/plain'), 415, 'CONTRACT_TEMPLATE_INVALID');
    const junk = await uploadTemplate(admin, productId, Buffer.from('PK\u0003\u0004 not really a zip'));
    expectError(junk, 422, 'CONTRACT_TEMPLATE_INVALID');
    expect(junk.body.error.message).toMatch(/docx/);
    const broken = await uploadTemplate(admin, productId, docxFromDocumentXml(sampleContractTemplateXml(['借款人:{customerName', '{#schedule}没有结束'])));
    expectError(broken, 422, 'CONTRACT_TEMPLATE_INVALID');
    expect(broken.body.error.message).toContain('缺少右括号');
    expect(broken.body.error.message).toContain('{/schedule}');
    expectError(await uploadTemplate(zhang, productId, sampleContractTemplate()), 403, 'FORBIDDEN');
    expect(await count(t, 'contract_templates')).toBe(0);
    expect(fs.existsSync(path.join(FILES, 'contracts/templates')) ? fs.readdirSync(path.join(FILES, 'contracts/templates')) : []).toEqual([]);
  });

  it('a good template is stored with its placeholders listed; typos are pointed out', async () => {
    const withTypo = docxFromDocumentXml(sampleContractTemplateXml(['借款人:{customerName} {custmerPhone}']));
    const typo = await uploadTemplate(admin, productId, withTypo, DOCX_MIME, '有错字的模板');
    expect(typo.status, JSON.stringify(typo.body)).toBe(201);
    expect(typo.body.unknownPlaceholders).toEqual(['custmerPhone']);
    await admin.patch(`/api/v1/contract-templates/${typo.body.id}`, { enabled: false });

    const res = await uploadTemplate(admin, productId, sampleContractTemplate());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: '标准借款合同', enabled: true, unknownPlaceholders: [] });
    expect(res.body.placeholders).toEqual(expect.arrayContaining(['customerName', 'amountCapital', 'schedule', 'schedule.dueDate', 'brokerName']));
    const list = await admin.get(`/api/v1/products/${productId}/contract-templates`);
    expect(list.body.map((x: { name: string; enabled: boolean }) => [x.name, x.enabled])).toEqual([['标准借款合同', true], ['有错字的模板', false]]);
    expect(await count(t, 'audit_logs', "action = 'upload_contract_template'")).toBe(2);
  });
});

describe('generation', () => {
  it('only for an approved application, by someone who may generate and see it', async () => {
    const pending = await application({ approved: false });
    expectError(await zhang.post(`/api/v1/applications/${pending.id}/contracts`, {}), 409, 'CONTRACT_NOT_GENERATABLE');
    const app = await application();
    expectError(await li.post(`/api/v1/applications/${app.id}/contracts`, {}), 403, 'FORBIDDEN'); // risk may not generate
    expectError(await he.post(`/api/v1/applications/${app.id}/contracts`, {}), 404, 'NOT_FOUND'); // another team
    expectValidation(await zhang.post(`/api/v1/applications/${app.id}/contracts`, { annualRatePpm: 60_000 }), 'annualRatePpm');
    expect(await count(t, 'contracts')).toBe(0);
  });

  it('fills customer, amount in 元 and 大写, product, broker and every schedule row; records who generated it', async () => {
    const app = await application();
    const firstDueOn = addMonthsClamped(shanghaiDate(), 1);
    const res = await zhang.post(`/api/v1/applications/${app.id}/contracts`, { annualRatePpm: 84_000, firstDueOn });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'generated', statusName: '待签署', amountFen: 30_000_000, annualRateText: '8.4%', generatedByName: '张伟', can: { uploadSigned: true, confirm: false } });
    const file = await download(zhang, `/api/v1/contracts/${res.body.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe(DOCX_MIME);
    const text = docxText(file.body as Buffer);
    expect(text).toContain(`合同编号:${res.body.contractNo}`);
    expect(text).toContain('借款人:陈美玲');
    expect(text).toContain('身份证号:330106198805');
    expect(text).toContain('借款金额:人民币 300,000.00 元(大写:叁拾万元整)');
    expect(text).toContain('居间服务方:杭州融信咨询服务有限公司    统一社会信用代码:91330106MA2TEST01X');
    expect(text).toContain('资金方:杭州银行(银行)    产品:杭银工薪贷(信用)');
    expect(text).toContain('还款方式:等额本息    年利率:8.4%');
    const schedule = buildSchedule({ principalFen: 30_000_000, termMonths: 12, method: 'equal_installment', firstDueOn, annualRatePpm: 84_000 });
    let remaining = 30_000_000;
    for (const i of schedule) {
      remaining -= i.principalFen;
      expect(text).toContain([i.seq, i.dueOn, formatFen(i.principalFen), formatFen(i.interestFen), formatFen(i.principalFen + i.interestFen), formatFen(remaining)].join('\t'));
    }
    expect(remaining).toBe(0);
    expect(text).toContain('经办人:张伟    合同生成人:张伟');
    const [row] = await rows(t, 'SELECT generated_by, status, annual_rate_ppm FROM contracts WHERE id = ?', [res.body.id]);
    expect(row).toMatchObject({ generated_by: await t.userId('张伟'), status: 'generated', annual_rate_ppm: 84_000 });
    expect(await count(t, 'audit_logs', "action = 'generate_contract' AND entity_id = ?", [String(app.id)])).toBe(1);
    expect(await count(t, 'audit_logs', "action = 'read_contract' AND entity_id = ?", [String(app.id)])).toBe(1);
    expectError(await he.get(`/api/v1/contracts/${res.body.id}/file`), 404, 'NOT_FOUND');
    // Finance sees ID and phone masked (C28): their download is the masked copy.
    const masked = docxText((await download(sun, `/api/v1/contracts/${res.body.id}/file`)).body as Buffer);
    expect(masked).toContain('借款人:陈美玲');
    expect(masked).toMatch(/身份证号:330106\*{8}\d{3}[\dX]/);
    expect(masked).toMatch(/手机号:1\d{2}\*{4}\d{4}/);
    expect(masked).toContain('叁拾万元整');
    expect(text).toMatch(/身份证号:330106198805\d{5}[\dX]/);

    // Generating again voids the unsigned one.
    const again = await zhang.post(`/api/v1/applications/${app.id}/contracts`, {});
    expect(again.status).toBe(201);
    const list = await zhang.get(`/api/v1/applications/${app.id}/contracts`);
    expect(list.body.items.map((c: { status: string }) => c.status)).toEqual(['generated', 'voided']);
    expect(list.body.canGenerate).toBe(true);
  });
});

describe('manual signing', () => {
  it('the scan is checked, a second person confirms; then signed, customer 已签约, ContractSigned', async () => {
    const app = await application();
    const gen = await zhang.post(`/api/v1/applications/${app.id}/contracts`, {});
    const id = gen.body.id as number;
    expectError(await wu.post(`/api/v1/contracts/${id}/confirm`, {}), 409, 'CONTRACT_STATE_CONFLICT'); // nothing uploaded yet
    expectError(await uploadScan(zhang, id, Buffer.from('MZ not a pdf'), 'application/pdf'), 415, 'DOCUMENT_TYPE_NOT_ALLOWED');
    expectError(await uploadScan(zhang, id, PDF, 'application/zip'), 415, 'DOCUMENT_TYPE_NOT_ALLOWED');

    const up = await uploadScan(zhang, id, PDF);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toMatchObject({ status: 'awaiting_confirmation', statusName: '待确认' });
    expectError(await uploadScan(zhang, id, PDF), 409, 'CONTRACT_STATE_CONFLICT');
    expectError(await zhang.post(`/api/v1/contracts/${id}/confirm`, {}), 403, 'FORBIDDEN'); // officers cannot confirm at all

    // 吴婷 sends it back, then uploads a scan herself: she cannot also confirm it.
    expectValidation(await wu.post(`/api/v1/contracts/${id}/reject`, {}), 'reason');
    const back = await wu.post(`/api/v1/contracts/${id}/reject`, { reason: '缺少借款人签字页' });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('generated');
    expect((await uploadScan(wu, id, PDF)).status).toBe(201);
    const self = await wu.post(`/api/v1/contracts/${id}/confirm`, {});
    expectError(self, 403, 'CONTRACT_SECOND_PERSON');
    expect((await wu.get(`/api/v1/contracts/${id}`)).body.can.confirm).toBe(false);
    expect((await customerRow(t, app.customerId)).stage).toBe('under_approval');
    expect(await count(t, 'domain_events', "type = 'contract.signed'")).toBe(0);

    // Finance sees ID numbers masked and so cannot open the scan: a confirmer who cannot see what they
    // confirm proves nothing, so finance is not a confirmer (contract.confirm).
    expect((await sun.get(`/api/v1/contracts/${id}`)).body.can.confirm).toBe(false);
    expectError(await sun.post(`/api/v1/contracts/${id}/confirm`, {}), 403, 'FORBIDDEN');
    expectError(await sun.post(`/api/v1/contracts/${id}/reject`, { reason: '看不到' }), 403, 'FORBIDDEN');
    // 周强 (branch manager) is the second person.
    const zhou = await t.loginAs('周强');
    expect((await zhou.get(`/api/v1/contracts/${id}`)).body.can.confirm).toBe(true);
    const ok = await zhou.post(`/api/v1/contracts/${id}/confirm`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('signed');
    expect(ok.body.signatures.map((s: { status: string; uploadedByName: string; confirmedByName: string }) => [s.status, s.uploadedByName, s.confirmedByName])).toEqual([
      ['confirmed', '吴婷', '周强'],
      ['rejected', '张伟', '吴婷'],
    ]);
    expect((await customerRow(t, app.customerId)).stage).toBe('signed');
    const [change] = await rows(t, 'SELECT from_stage, to_stage, reason FROM customer_stage_changes WHERE customer_id = ? ORDER BY id DESC LIMIT 1', [app.customerId]);
    expect(change).toMatchObject({ from_stage: 'under_approval', to_stage: 'signed' });
    const [ev] = await rows(t, "SELECT payload FROM domain_events WHERE type = 'contract.signed'");
    expect(JSON.parse(String(ev.payload))).toMatchObject({ contractId: id, applicationId: app.id, customerId: app.customerId, amountFen: 30_000_000 });

    const scan = await download(wu, `/api/v1/contracts/${id}/signatures/${ok.body.signatures[0].id}/file`);
    expect(scan.status).toBe(200);
    expect((scan.body as Buffer).equals(PDF)).toBe(true);
    // Finance sees ID numbers masked (C28): the scan cannot be masked, so it is not shown to them.
    expectError(await sun.get(`/api/v1/contracts/${id}/signatures/${ok.body.signatures[0].id}/file`), 403, 'FIELD_NOT_REVEALABLE');
    expectError(await zhang.post(`/api/v1/applications/${app.id}/contracts`, {}), 409, 'CONTRACT_ALREADY_SIGNED');
    expectError(await zhou.post(`/api/v1/contracts/${id}/confirm`, {}), 409, 'CONTRACT_STATE_CONFLICT');
    // The confirmer can open the scan they confirmed.
    expect((await download(zhou, `/api/v1/contracts/${id}/signatures/${ok.body.signatures[0].id}/file`)).status).toBe(200);
  });
});
