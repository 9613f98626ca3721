// 还款导入: a lender's repayment statement (.xlsx with 贷款编号/借据号, 还款日期, 还款金额) read
// with exceljs, previewed row by row with its problems, then confirmed. Each row becomes a payment
// whose external_ref is a hash of the row's content (and its occurrence among identical rows), so
// importing the same file again, or a later statement overlapping it, adds nothing. The confirm
// applies every good row in one transaction: all of the file's payments or none.
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { Op, UniqueConstraintError } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, unprocessable } from '../../http/errors';
import { isValidDate, shanghaiDate } from '../../contracts/dates';
import { formatFen, yuanToFen } from '../../contracts/money';
import { IMPORT_COLUMNS, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, type ImportRow } from '../../contracts/loan-ops';
import { LOAN_STATUSES } from '../../contracts/loans';
import { readScope } from '../customers/customer.scope';
import { maxPayable } from './loan.ledger';
import { money, type LoanService } from './loan.service';

interface RawRow { row: number; lenderLoanNo: string; paidOn: unknown; amount: unknown }

export async function readBody(body: AsyncIterable<Buffer | string>, max = IMPORT_MAX_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > max) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `文件不能超过 ${Math.round(max / 1024 / 1024)} MB`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'text' in (v as object)) return String((v as { text: unknown }).text ?? '').trim(); // hyperlink / rich text
  if (typeof v === 'object' && 'richText' in (v as object)) return (v as { richText: { text: string }[] }).richText.map((r) => r.text).join('').trim();
  if (typeof v === 'object' && 'result' in (v as object)) return cellText((v as { result: unknown }).result); // formula
  return String(v).trim();
}

/** A date cell: a real Excel date (exceljs gives UTC midnight), or text 2026-11-20 / 2026/11/20 / 2026年11月20日. */
export function parseDateCell(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
  if (typeof v === 'object' && v !== null && 'result' in v) return parseDateCell((v as { result: unknown }).result);
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cellText(v));
  if (!m) return null;
  const d = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isValidDate(d) ? d : null;
}

/**
 * An amount cell in 元: text goes through yuanToFen; a number is Excel's double, whose shortest
 * decimal form (String(1234.56) = "1234.56") is what the lender typed, so it converts exactly too.
 */
export function parseAmountCell(v: unknown): number | null {
  if (typeof v === 'object' && v !== null && 'result' in v) return parseAmountCell((v as { result: unknown }).result);
  const fen = yuanToFen(typeof v === 'number' ? String(v) : cellText(v).replace(/[¥￥元]/g, ''));
  return fen !== null && fen > 0 ? fen : null;
}

export async function parseStatement(data: Buffer): Promise<RawRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw unprocessable('IMPORT_FILE_INVALID');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw unprocessable('IMPORT_FILE_INVALID', '文件里没有工作表');
  // The header is the first row (of the first ten) naming all three columns.
  let header = 0;
  const col: Partial<Record<keyof typeof IMPORT_COLUMNS, number>> = {};
  for (let r = 1; r <= Math.min(10, ws.rowCount) && !header; r++) {
    const found: typeof col = {};
    ws.getRow(r).eachCell((cell, c) => {
      const name = cellText(cell.value).replace(/\s/g, '');
      for (const [key, names] of Object.entries(IMPORT_COLUMNS) as [keyof typeof IMPORT_COLUMNS, readonly string[]][]) if (names.includes(name) && !found[key]) found[key] = c;
    });
    if (found.lenderLoanNo && found.paidOn && found.amount) Object.assign(col, found), (header = r);
  }
  if (!header) throw unprocessable('IMPORT_FILE_INVALID', '找不到表头:需要「贷款编号(或借据号)」「还款日期」「还款金额」三列');
  const rows: RawRow[] = [];
  for (let r = header + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const lenderLoanNo = cellText(row.getCell(col.lenderLoanNo!).value);
    const paidOn = row.getCell(col.paidOn!).value;
    const amount = row.getCell(col.amount!).value;
    if (!lenderLoanNo && !cellText(paidOn) && !cellText(amount)) continue; // blank line
    rows.push({ row: r, lenderLoanNo, paidOn, amount });
    if (rows.length > IMPORT_MAX_ROWS) throw unprocessable('IMPORT_FILE_INVALID', `一次最多导入 ${IMPORT_MAX_ROWS} 行,请拆分文件`);
  }
  return rows;
}

export function createLoanImportService(deps: Deps, loans: LoanService) {
  const { db, org, audit } = deps;
  const { Loan, LoanEntry, Customer, Installment } = db.models;

  /** Every row checked against the current loans; `ref` is the row's idempotency reference. */
  async function check(rc: RequestContext, data: Buffer) {
    const raw = await parseStatement(data);
    const nos = [...new Set(raw.map((r) => r.lenderLoanNo).filter(Boolean))];
    const candidates = nos.length ? await Loan.findAll({ where: { lenderLoanNo: nos, status: { [Op.ne]: 'reversed' } } }) : [];
    // Loans of customers out of the importer's scope read as unknown, like everywhere else.
    const readable = new Set((await Customer.findAll({ where: { [Op.and]: [{ id: [...new Set(candidates.map((l) => l.customerId))] }, await readScope(rc.actor, org)] }, attributes: ['id', 'name'] })).map((c) => Number(c.id)));
    const names = new Map((await Customer.findAll({ where: { id: [...readable] }, attributes: ['id', 'name'] })).map((c) => [Number(c.id), c.name]));
    const byNo = new Map<string, typeof candidates>();
    for (const l of candidates) if (readable.has(Number(l.customerId))) byNo.set(l.lenderLoanNo, [...(byNo.get(l.lenderLoanNo) ?? []), l]);
    const loanIds = candidates.map((l) => Number(l.id));
    const insts = loanIds.length ? await Installment.findAll({ where: { loanId: loanIds }, order: [['seq', 'ASC']] }) : [];
    const seen = new Map<string, number>();
    const refs: (string | null)[] = [];
    const prepared: ImportRow[] = raw.map((r) => {
      const paidOn = parseDateCell(r.paidOn);
      const amountFen = parseAmountCell(r.amount);
      const base: ImportRow = { row: r.row, lenderLoanNo: r.lenderLoanNo, paidOn, amountFen, loanId: null, loanNo: null, customerName: null, status: 'error', error: null };
      const fail = (error: string) => (refs.push(null), { ...base, error });
      const matches = byNo.get(r.lenderLoanNo) ?? [];
      if (!r.lenderLoanNo) return fail('缺少贷款编号');
      if (!matches.length) return fail('找不到该贷款编号对应的贷款');
      if (matches.length > 1) return fail('该贷款编号对应多笔贷款,请手工登记');
      const loan = matches[0]!;
      Object.assign(base, { loanId: Number(loan.id), loanNo: loan.loanNo, customerName: names.get(Number(loan.customerId)) ?? null });
      if (!paidOn) return fail('还款日期无法识别');
      if (amountFen === null) return fail('还款金额无法识别(应为大于 0、最多两位小数的数字)');
      if (paidOn > shanghaiDate()) return fail('还款日期晚于今天');
      if (paidOn < loan.disbursedOn) return fail(`还款日期早于放款日 ${loan.disbursedOn}`);
      const content = `${r.lenderLoanNo}|${paidOn}|${amountFen}`;
      const n = (seen.get(content) ?? 0) + 1;
      seen.set(content, n);
      refs.push(`stmt:${crypto.createHash('sha256').update(`${content}|${n}`).digest('hex').slice(0, 40)}`);
      return { ...base, status: 'ok' };
    });
    // Already imported rows, then what each loan can still take (rows in order, cumulatively).
    const wanted = refs.filter((x): x is string => x !== null);
    const existing = new Set(wanted.length ? (await LoanEntry.findAll({ where: { loanId: loanIds, externalRef: wanted }, attributes: ['loanId', 'externalRef'] })).map((e) => `${e.loanId}|${e.externalRef}`) : []);
    const taken = new Map<number, number>();
    prepared.forEach((p, k) => {
      if (p.status !== 'ok') return;
      if (existing.has(`${p.loanId}|${refs[k]}`)) return Object.assign(p, { status: 'duplicate', error: '已导入过,将跳过' });
      const loan = candidates.find((l) => Number(l.id) === p.loanId)!;
      if (loan.status !== 'active') return Object.assign(p, { status: 'error', error: `贷款${LOAN_STATUSES[loan.status]},不能登记还款` });
      const max = maxPayable(insts.filter((i) => Number(i.loanId) === p.loanId).map(money), p.paidOn!) - (taken.get(p.loanId!) ?? 0);
      if (p.amountFen! > max) return Object.assign(p, { status: 'error', error: `超过应还金额(最多 ${formatFen(Math.max(0, max))} 元),请手工办理提前结清` });
      taken.set(p.loanId!, (taken.get(p.loanId!) ?? 0) + p.amountFen!);
    });
    const summary = {
      total: prepared.length,
      ok: prepared.filter((p) => p.status === 'ok').length,
      duplicate: prepared.filter((p) => p.status === 'duplicate').length,
      error: prepared.filter((p) => p.status === 'error').length,
      amountFen: prepared.filter((p) => p.status === 'ok').reduce((s, p) => s + p.amountFen!, 0),
    };
    return { rows: prepared, refs, summary };
  }

  return {
    async preview(rc: RequestContext, data: Buffer) {
      const { rows, summary } = await check(rc, data);
      return { rows, summary };
    },

    /** Records every good row in one transaction; rows with problems and rows already imported are skipped. */
    async confirm(rc: RequestContext, data: Buffer) {
      const { rows, refs, summary } = await check(rc, data);
      const sha256 = crypto.createHash('sha256').update(data).digest('hex');
      await db.transaction(async (t) => {
        // The same rows imported at the same moment by someone else: the unique reference stops
        // the second import as a whole (below), nothing is recorded twice.
        for (const [k, r] of rows.entries()) {
          if (r.status !== 'ok') continue;
          try {
            const loan = await loans.loanInScope(rc.actor, r.loanId!, t);
            await loans.applyPayment(rc, loan, { amountFen: r.amountFen!, paidOn: r.paidOn!, externalRef: refs[k]!, note: `还款导入 第 ${r.row} 行` }, 'import', t);
          } catch (err) {
            // The loans changed since the preview: nothing of the file is kept.
            if (err instanceof AppError) throw new AppError(409, 'IMPORT_FAILED', `第 ${r.row} 行:${err.message}。导入未完成,请重新预览`, { row: r.row, code: err.code });
            if (err instanceof UniqueConstraintError) throw new AppError(409, 'IMPORT_FAILED', `第 ${r.row} 行刚刚已被另一次导入登记。导入未完成,请重新预览`, { row: r.row });
            throw err;
          }
        }
        await audit.record(rc, { action: 'import', entityType: 'loan_statement', entityId: sha256.slice(0, 16), after: { sha256, ...summary } }, t);
      });
      return { imported: summary.ok, duplicate: summary.duplicate, error: summary.error, amountFen: summary.amountFen, rows };
    },
  };
}
export type LoanImportService = ReturnType<typeof createLoanImportService>;
