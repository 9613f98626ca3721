// Channel commissions (C20) on the real databases: rules (validation, permissions), accrual inside
// the disbursement's transaction (percent, tiered by month-to-date volume, fixed for officers),
// reversal of a disbursement and clawback on a default (write-off, M3+) as negative rows, and
// monthly statements whose totals equal the sum of the loan-level accruals, exported and read back.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type Client } from '../helpers/test-app';
import { count, createCustomer, expectError, expectValidation, rows } from '../helpers/fixtures';
import { insertLoan, setStage } from '../helpers/collections';
import { EVENT_TYPES } from '../../server/src/modules/events/events.service';
import { overdueFromDeps } from '../../server/src/modules/collections/overdue.service';

let now = Date.parse('2026-11-20T02:00:00Z');
let a: TestApp;
let finance: Client;
let zw: Client;
const loans: Record<string, number> = {};

const rule = (o: Record<string, unknown>) => ({ name: '规则', beneficiary: 'channel', kind: 'percent', validFrom: '2026-01-01', ...o });

/** What the loans module does on reversing a disbursement, in one transaction with its event. */
async function reverseDisbursement(loanId: number) {
  const { LoanEntry, Loan } = a.deps.db.models;
  await a.deps.db.transaction(async (t) => {
    const d = (await LoanEntry.findOne({ where: { loanId, kind: 'disbursement' }, transaction: t }))!;
    const rev = await LoanEntry.create({ loanId, kind: 'reversal', occurredOn: '2026-11-20', amountFen: -Number(d.amountFen), reversesEntryId: d.id, source: 'manual', createdBy: 1 }, { transaction: t });
    await d.update({ reversedByEntryId: rev.id }, { transaction: t });
    await Loan.update({ status: 'reversed', liveApplicationId: null }, { where: { id: loanId }, transaction: t });
    await a.deps.events.emit({ type: EVENT_TYPES.LoanEntryReversed, aggregateType: 'loan', aggregateId: loanId, payload: { loanId, entryId: Number(d.id), kind: 'disbursement' } }, t);
  });
}

async function loanFor(channel: string, principalFen: number, disbursedOn: string, dueOn: string) {
  const c = (await createCustomer(zw, { channel })).id;
  await setStage(a, c, 'repaying');
  return insertLoan(a, { customerId: c, principalFen, disbursedOn, installments: [{ dueOn, principalFen }] });
}

beforeAll(async () => {
  a = await createTestApp({ build: { bot: { now: () => now } } });
  finance = await a.loginAs('孙丽');
  zw = await a.loginAs('张伟');
});
afterAll(async () => a?.close());

describe('rules', () => {
  it('finance creates percent, tiered and officer rules; bad ones are 422 and write nothing', async () => {
    const r1 = await finance.post('/api/v1/commissions/rules', rule({ name: '抖音 1%', channel: 'douyin', ratePpm: 10_000, clawbackMonths: 6 }));
    expect(r1.status, JSON.stringify(r1.body)).toBe(201);
    expect(r1.body).toMatchObject({ channel: 'douyin', kind: 'percent', ratePpm: 10_000, clawbackMonths: 6, enabled: true });
    const r2 = await finance.post('/api/v1/commissions/rules', rule({ name: '百度阶梯', channel: 'baidu', kind: 'tiered', tiers: [{ minVolumeFen: 0, ratePpm: 8_000 }, { minVolumeFen: 100_000_000, ratePpm: 10_000 }] }));
    expect(r2.status).toBe(201);
    const r3 = await finance.post('/api/v1/commissions/rules', rule({ name: '信贷员每笔 500 元', beneficiary: 'officer', kind: 'fixed', fixedFen: 50_000 }));
    expect(r3.status).toBe(201);

    const before = await count(a, 'commission_rules');
    expectValidation(await finance.post('/api/v1/commissions/rules', rule({ ratePpm: undefined })), 'ratePpm');
    expectValidation(await finance.post('/api/v1/commissions/rules', rule({ kind: 'tiered', tiers: [{ minVolumeFen: 5, ratePpm: 1 }] })), 'tiers');
    expectValidation(await finance.post('/api/v1/commissions/rules', rule({ ratePpm: 10_000, validTo: '2025-12-31' })), 'validTo');
    expectError(await finance.post('/api/v1/commissions/rules', rule({ ratePpm: 10_000, channel: 'nope' })), 422, 'COMMISSION_RULE_CHANNEL_UNKNOWN');
    expect(await count(a, 'commission_rules')).toBe(before);
  });

  it('an officer may not read or change rules; a director reads but may not change', async () => {
    expectError(await zw.get('/api/v1/commissions/rules'), 403, 'FORBIDDEN');
    expectError(await zw.post('/api/v1/commissions/rules', rule({ ratePpm: 1 })), 403, 'FORBIDDEN');
    const director = await a.loginAs('陈刚');
    expect((await director.get('/api/v1/commissions/rules')).body.items).toHaveLength(3);
    expectError(await director.post('/api/v1/commissions/rules', rule({ ratePpm: 1 })), 403, 'FORBIDDEN');
    expectError(await zw.get('/api/v1/commissions/statements?period=2026-11'), 403, 'FORBIDDEN');
  });

  it('an edit is audited and only affects later loans', async () => {
    const { items } = (await finance.get('/api/v1/commissions/rules')).body;
    const officerRule = items.find((r: { beneficiary: string }) => r.beneficiary === 'officer');
    const res = await finance.agent.put(`/api/v1/commissions/rules/${officerRule.id}`).set('X-Requested-With', 'XMLHttpRequest').send(rule({ name: '信贷员每笔 500 元', beneficiary: 'officer', kind: 'fixed', fixedFen: 50_000, priority: 1 }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.priority).toBe(1);
    expect(await count(a, 'audit_logs', "entity_type = 'commission_rule' AND action = 'update'")).toBe(1);
  });
});

describe('accrual, reversal and clawback', () => {
  it('accrues on disbursement, in its transaction: percent for douyin, month-to-date tiers for baidu, a fixed amount for the officer', async () => {
    loans.L1 = await loanFor('douyin', 20_000_000, '2026-11-05', '2026-12-05'); // 20 万
    loans.L2 = await loanFor('baidu', 60_000_000, '2026-11-06', '2026-12-06'); // 60 万: month 60 万 → 0.8 %
    loans.L3 = await loanFor('baidu', 50_000_000, '2026-11-07', '2026-12-07'); // month 110 万 → 1 %
    const acc = await rows(a, "SELECT loan_id, beneficiary, beneficiary_key, kind, period, rate_ppm, month_volume_fen, amount_fen FROM commission_accruals ORDER BY loan_id, beneficiary");
    const zwId = String(await a.userId('张伟'));
    expect(acc.map((r) => [Number(r.loan_id), r.beneficiary, r.beneficiary_key, r.period, r.rate_ppm === null ? null : Number(r.rate_ppm), Number(r.amount_fen)])).toEqual([
      [loans.L1, 'channel', 'douyin', '2026-11', 10_000, 200_000],
      [loans.L1, 'officer', zwId, '2026-11', null, 50_000],
      [loans.L2, 'channel', 'baidu', '2026-11', 8_000, 480_000],
      [loans.L2, 'officer', zwId, '2026-11', null, 50_000],
      [loans.L3, 'channel', 'baidu', '2026-11', 10_000, 500_000],
      [loans.L3, 'officer', zwId, '2026-11', null, 50_000],
    ]);
    expect(Number(acc.find((r) => Number(r.loan_id) === loans.L3 && r.beneficiary === 'channel')!.month_volume_fen)).toBe(110_000_000);
  });

  it('a replayed disbursement event adds nothing; a failed disbursement leaves no accrual', async () => {
    const before = await count(a, 'commission_accruals');
    await a.deps.db.transaction((t) => a.deps.events.emit({ type: EVENT_TYPES.LoanDisbursed, aggregateType: 'loan', aggregateId: loans.L1!, payload: { loanId: loans.L1 } }, t));
    expect(await count(a, 'commission_accruals')).toBe(before);
    const c = (await createCustomer(zw, { channel: 'douyin' })).id;
    await expect(a.deps.db.transaction(async (t) => {
      await a.deps.db.models.Loan.create({ loanNo: 'ROLLBACK1', applicationId: 1, customerId: c, channel: 'douyin', lenderLoanNo: 'x', principalFen: 1_000_000, annualRatePpm: 1, monthlyRatePpm: 1, termMonths: 1, repaymentMethod: 'equal_installment', disbursedOn: '2026-11-10', firstDueOn: '2026-12-10', maturityOn: '2026-12-10', status: 'active', outstandingPrincipalFen: 1_000_000, createdBy: 1, ownerId: null, departmentId: null }, { transaction: t }).then(async (l) => {
        await a.deps.events.emit({ type: EVENT_TYPES.LoanDisbursed, aggregateType: 'loan', aggregateId: l.id, payload: { loanId: Number(l.id) } }, t);
        throw new Error('disbursement failed after the event');
      });
    })).rejects.toThrow('disbursement failed');
    expect(await count(a, 'commission_accruals')).toBe(before);
  });

  it('a reversed disbursement takes its commission back with negative rows, once', async () => {
    loans.L4 = await loanFor('douyin', 10_000_000, '2026-11-08', '2026-12-08');
    await reverseDisbursement(loans.L4);
    await a.deps.db.transaction((t) => a.deps.events.emit({ type: EVENT_TYPES.LoanEntryReversed, aggregateType: 'loan', aggregateId: loans.L4!, payload: { loanId: loans.L4 } }, t));
    const r = await rows(a, 'SELECT beneficiary, kind, amount_fen, reverses_accrual_id FROM commission_accruals WHERE loan_id = ? ORDER BY id', [loans.L4]);
    expect(r.map((x) => [x.beneficiary, x.kind, Number(x.amount_fen)])).toEqual([
      ['channel', 'accrual', 100_000], ['officer', 'accrual', 50_000], ['channel', 'reversal', -100_000], ['officer', 'reversal', -50_000],
    ]);
  });

  it('a write-off within the clawback window claws back the channel’s commission (the officer rule has no clawback)', async () => {
    const res = await finance.post(`/api/v1/loans/${loans.L1}/write-off`, { reason: '借款人涉诉,无力偿还' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const r = await rows(a, 'SELECT beneficiary, kind, period, amount_fen FROM commission_accruals WHERE loan_id = ? ORDER BY id', [loans.L1]);
    expect(r.map((x) => [x.beneficiary, x.kind, x.period, Number(x.amount_fen)])).toEqual([
      ['channel', 'accrual', '2026-11', 200_000], ['officer', 'accrual', '2026-11', 50_000], ['channel', 'clawback', '2026-11', -200_000],
    ]);
  });

  it('reaching M3+ within the window claws back in the month it happens; outside the window it does not', async () => {
    loans.L5 = await loanFor('douyin', 30_000_000, '2026-08-01', '2026-08-15'); // August: 3000 元; window (6 months) to 2027-02-01
    loans.L6 = await loanFor('douyin', 10_000_000, '2026-05-01', '2026-05-10'); // window closed on 2026-11-01
    const r = await overdueFromDeps(a.deps).run();
    expect(r.bucketChanges).toBe(2);
    expect((await rows(a, 'SELECT overdue_bucket FROM loans WHERE id IN (?, ?)', [loans.L5, loans.L6])).map((x) => x.overdue_bucket)).toEqual(['M3+', 'M3+']);
    const claw = await rows(a, "SELECT loan_id, period, amount_fen FROM commission_accruals WHERE kind = 'clawback' AND loan_id IN (?, ?)", [loans.L5, loans.L6]);
    expect(claw.map((x) => [Number(x.loan_id), x.period, Number(x.amount_fen)])).toEqual([[loans.L5, '2026-11', -300_000]]);
    await overdueFromDeps(a.deps).run();
    expect(await count(a, 'commission_accruals', "kind = 'clawback'")).toBe(2);
  });
});

describe('statements', () => {
  it('each statement’s total equals the sum of its loan lines and of the accrual rows behind them', async () => {
    const summary = (await finance.get('/api/v1/commissions/statements?period=2026-11')).body;
    expect(summary.items.map((i: { beneficiaryKey: string }) => i.beneficiaryKey).sort()).toEqual(['baidu', 'douyin']);
    for (const item of summary.items) {
      const s = (await finance.get(`/api/v1/commissions/statements/channel/${item.beneficiaryKey}?period=2026-11`)).body;
      const [db] = await rows(a, "SELECT SUM(amount_fen) AS s, COUNT(DISTINCT loan_id) AS n FROM commission_accruals WHERE period = '2026-11' AND beneficiary = 'channel' AND beneficiary_key = ?", [item.beneficiaryKey]);
      expect(s.totals.totalFen).toBe(Number(db!.s));
      expect(s.totals.totalFen).toBe(s.lines.reduce((x: number, l: { amountFen: number }) => x + l.amountFen, 0));
      for (const l of s.lines) expect(l.amountFen).toBe(l.entries.reduce((x: number, e: { amountFen: number }) => x + e.amountFen, 0));
      expect(s.totals.totalFen).toBe(s.totals.accrualFen + s.totals.reversalFen + s.totals.clawbackFen);
      expect(s.lines).toHaveLength(Number(db!.n));
      expect(item.totalFen).toBe(s.totals.totalFen);
      expect(s.statementNo).toBe(`FY202611-QD-${item.beneficiaryKey}`);
    }
    const baidu = (await finance.get('/api/v1/commissions/statements/channel/baidu?period=2026-11')).body;
    expect(baidu).toMatchObject({ beneficiaryName: '百度推广', totals: { loans: 2, totalFen: 980_000 } });
    const douyin = (await finance.get('/api/v1/commissions/statements/channel/douyin?period=2026-11')).body;
    // L1 +2000 −2000 (clawback), L4 +1000 −1000 (reversal), L5 only its clawback (accrued in August).
    expect(douyin.totals).toEqual({ loans: 3, accrualFen: 300_000, reversalFen: -100_000, clawbackFen: -500_000, totalFen: -300_000 });
    const aug = (await finance.get('/api/v1/commissions/statements/channel/douyin?period=2026-08')).body;
    expect(aug.totals.totalFen).toBe(300_000);
    const officer = (await finance.get(`/api/v1/commissions/statements/officer/${await a.userId('张伟')}?period=2026-11`)).body;
    expect(officer).toMatchObject({ beneficiaryName: '张伟', statementNo: `FY202611-YG-${await a.userId('张伟')}` });
    expect(officer.totals.totalFen).toBe(4 * 50_000 - 50_000); // L1–L4 accrued, L4 reversed
    expectValidation(await finance.get('/api/v1/commissions/statements?period=2026-13'), 'period');
  });

  it('exports the statement as .xlsx that reads back with the same lines and total; the export is audited', async () => {
    const res = await finance.get('/api/v1/commissions/statements/channel/baidu/export?period=2026-11').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('FY202611-QD-baidu.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.getWorksheet('返佣对账单')!;
    expect(ws.getCell('B1').value).toBe('FY202611-QD-baidu');
    const values = ws.getSheetValues().filter(Boolean) as unknown[][];
    const lines = values.filter((r) => typeof r[1] === 'string' && String(r[1]).startsWith('LT'));
    expect(lines).toHaveLength(2);
    expect(lines.map((r) => r[9])).toEqual([4800, 5000]);
    const total = values.find((r) => r[1] === '合计')!;
    expect(total[10]).toBe(9800);
    expect(await count(a, 'audit_logs', "action = 'export' AND entity_type = 'commission_statement'")).toBe(1);
  });
});
