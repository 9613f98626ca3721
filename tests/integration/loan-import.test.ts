// 还款导入 through the HTTP API: a lender statement (.xlsx) previewed with per-row problems, then
// confirmed; importing the same file again adds nothing; a file that does not parse is refused.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../helpers/test-app';
import { count, expectError, rows } from '../helpers/fixtures';
import { as, disburseLoan, type LoanDetail } from '../helpers/loans';
import { addDays, shanghaiDate } from '../../server/src/contracts/dates';
import { XLSX_MIME } from '../../server/src/contracts/loan-ops';

let t: TestApp;
let sun: Client;
let a: LoanDetail; // due 1,200 元 + 1,100 元 + current 1,000 元 principal + interest (等额本金 12,000 元, 12 %)
let b: LoanDetail;
const T = shanghaiDate();

async function xlsx(lines: unknown[][], header = ['借据号', '还款日期', '还款金额', '备注']) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('还款明细');
  ws.addRow(['某银行 还款明细']); // a title line above the header, as lenders send them
  ws.addRow(header);
  for (const l of lines) ws.addRow(l);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const upload = (c: Client, url: string, file: Buffer, type = XLSX_MIME) => c.agent.post(url).set('X-Requested-With', 'XMLHttpRequest').set('Content-Type', type).send(file);

beforeAll(async () => {
  t = await createTestApp();
  sun = await as(t, '孙丽');
  const input = { principalFen: 1_200_000, repaymentMethod: 'equal_principal', disbursedOn: addDays(T, -75), firstDueOn: addDays(T, -45) };
  a = await disburseLoan(t, { amountFen: 1_200_000, input });
  b = await disburseLoan(t, { amountFen: 1_200_000, input });
});
afterAll(() => t?.close());

describe('statement import', () => {
  let file: Buffer;
  it('previews every row with its problem, writing nothing', async () => {
    file = await xlsx([
      [a.lenderLoanNo, new Date(`${addDays(T, -3)}T00:00:00Z`), 500.5, '正常'], // a real Excel date and number
      [b.lenderLoanNo, addDays(T, -2), '1,000.00'], // text date and amount
      [b.lenderLoanNo, addDays(T, -2), '1,000.00'], // the same line twice: two payments that day
      ['NO-SUCH-LOAN', addDays(T, -1), 100],
      [a.lenderLoanNo, '昨天', 100],
      [a.lenderLoanNo, addDays(T, -1), 12.345],
      [a.lenderLoanNo, addDays(T, 1), 100],
      [a.lenderLoanNo, addDays(T, -1), 999_999],
      [],
    ]);
    const before = await count(t, 'loan_entries');
    const res = await upload(sun, '/api/v1/loan-imports/preview', file);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rows.map((r: { row: number; status: string; amountFen: number | null; paidOn: string | null }) => [r.row, r.status, r.amountFen, r.paidOn])).toEqual([
      [3, 'ok', 50_050, addDays(T, -3)],
      [4, 'ok', 100_000, addDays(T, -2)],
      [5, 'ok', 100_000, addDays(T, -2)],
      [6, 'error', 10_000, addDays(T, -1)],
      [7, 'error', 10_000, null],
      [8, 'error', null, addDays(T, -1)],
      [9, 'error', 10_000, addDays(T, 1)],
      [10, 'error', 99_999_900, addDays(T, -1)],
    ]);
    const errors = res.body.rows.filter((r: { status: string }) => r.status === 'error').map((r: { error: string }) => r.error);
    expect(errors[0]).toContain('找不到');
    expect(errors[1]).toContain('日期');
    expect(errors[2]).toContain('金额');
    expect(errors[3]).toContain('晚于今天');
    expect(errors[4]).toContain('超过应还金额');
    expect(res.body.rows[0]).toMatchObject({ loanId: a.id, loanNo: a.loanNo, customerName: '测试客户' });
    expect(res.body.summary).toEqual({ total: 8, ok: 3, duplicate: 0, error: 5, amountFen: 250_050 });
    expect(await count(t, 'loan_entries')).toBe(before);
  });

  it('confirm records the good rows as payments; importing the same file again adds nothing', async () => {
    const res = await upload(sun, '/api/v1/loan-imports', file);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ imported: 3, duplicate: 0, error: 5, amountFen: 250_050 });
    const entries = await rows(t, "SELECT loan_id, amount_fen, occurred_on, source, external_ref FROM loan_entries WHERE kind = 'payment' ORDER BY id");
    expect(entries.map((e) => [Number(e.loan_id), Number(e.amount_fen), e.source])).toEqual([[a.id, 50_050, 'import'], [b.id, 100_000, 'import'], [b.id, 100_000, 'import']]);
    expect(new Set(entries.map((e) => e.external_ref)).size).toBe(3);
    // 2 × 1,000 元 on loan b: installment 1 (120 + 1,000) in full, then 110 interest and 770 principal of installment 2.
    const paid = await rows(t, 'SELECT paid_interest_fen, paid_principal_fen, status FROM installments WHERE loan_id = ? AND seq <= 2 ORDER BY seq', [b.id]);
    expect(paid.map((i) => [Number(i.paid_interest_fen), Number(i.paid_principal_fen), i.status])).toEqual([[12_000, 100_000, 'paid'], [11_000, 77_000, 'overdue']]);

    const again = await upload(sun, '/api/v1/loan-imports/preview', file);
    expect(again.body.summary).toMatchObject({ ok: 0, duplicate: 3 });
    const re = await upload(sun, '/api/v1/loan-imports', file);
    expect(re.body).toMatchObject({ imported: 0, duplicate: 3 });
    expect(await count(t, 'loan_entries', "kind = 'payment'")).toBe(3);
    expect(await count(t, 'audit_logs', "action = 'import' AND entity_type = 'loan_statement'")).toBe(2);
  });

  it('a file that is not a statement is refused, and only finance and admin import', async () => {
    expectError(await upload(sun, '/api/v1/loan-imports/preview', Buffer.from('not a zip')), 422, 'IMPORT_FILE_INVALID');
    expectError(await upload(sun, '/api/v1/loan-imports/preview', await xlsx([[a.lenderLoanNo, T, 1]], ['编号', '日期', '金额'])), 422, 'IMPORT_FILE_INVALID');
    expectError(await upload(sun, '/api/v1/loan-imports/preview', Buffer.from('a,b'), 'text/csv'), 415, 'IMPORT_FILE_INVALID');
    expectError(await upload(await as(t, '张伟'), '/api/v1/loan-imports', await xlsx([[a.lenderLoanNo, T, 1]])), 403, 'FORBIDDEN');
  });

  it('a loan out of the importer’s scope reads as unknown', async () => {
    // Finance reads customers from 已签约 on: a customer (artificially) back at 线索 is out of its scope.
    await t.deps.db.sequelize.query("UPDATE customers SET stage = 'lead' WHERE id = ?", { replacements: [a.customerId] });
    const res = await upload(sun, '/api/v1/loan-imports/preview', await xlsx([[a.lenderLoanNo, T, 1]]));
    expect(res.body.rows[0]).toMatchObject({ status: 'error', loanId: null });
    expect(res.body.rows[0].error).toContain('找不到');
  });
});
