// HTTP surface of loans (C16, C17): parse, call one service method, return.
import { route, IdParams, type RouteDef } from '../../http/route';
import { AppError } from '../../http/errors';
import { DisburseLoan, EarlySettle, EntryParams, ListLoans, RecordPayment, ReverseEntry, SettlementQuoteQuery, XLSX_MIME } from '../../contracts/loan-ops';
import type { LoanService } from './loan.service';
import { readBody, type LoanImportService } from './loan.import';
import type { Context } from 'koa';

const tag = 'loans';
const idem = (ctx: Context) => ctx.get('Idempotency-Key').slice(0, 64) || null;

/** The statement file is the request body itself (like document uploads), not JSON. */
async function statementFile(ctx: Context) {
  const type = ctx.get('Content-Type').split(';')[0]!.trim().toLowerCase();
  if (type !== XLSX_MIME && type !== 'application/octet-stream') throw new AppError(415, 'IMPORT_FILE_INVALID');
  return readBody(ctx.req);
}

export function loanRoutes(loans: LoanService, imports: LoanImportService): RouteDef[] {
  return [
    route({ method: 'get', path: '/loans/disbursable', tag, summary: '待放款:已审批通过且客户已签约、尚未放款的进件', permission: 'loan.disburse', handler: ({ rc }) => loans.disbursable(rc) }),
    route({ method: 'get', path: '/loans', tag, summary: '贷款列表(按客户数据权限)', query: ListLoans, handler: ({ rc, query }) => loans.list(rc, query) }),
    route({
      method: 'post', path: '/loans', tag, summary: '放款登记:生成贷款与还款计划(Idempotency-Key 防重复提交)', permission: 'loan.disburse', body: DisburseLoan, status: 201,
      handler: async ({ rc, body, ctx }) => {
        const res = await loans.disburse(rc, body, idem(ctx));
        if (!res.replayed) return res;
        ctx.status = 200; // the same request again: the loan it created, not a new one
        ctx.body = res;
      },
    }),
    route({ method: 'get', path: '/loans/:id', tag, summary: '贷款详情:还款计划、流水、可用操作', params: IdParams, handler: ({ rc, params }) => loans.get(rc, params.id) }),
    route({
      method: 'post', path: '/loans/:id/payments', tag, summary: '登记还款(按 罚息→利息→本金、先到期先还 分配)', permission: 'payment.record', params: IdParams, body: RecordPayment, status: 201,
      handler: ({ rc, params, body, ctx }) => loans.recordPayment(rc, params.id, body, idem(ctx)),
    }),
    route({ method: 'get', path: '/loans/:id/settlement-quote', tag, summary: '提前结清试算', permission: 'payment.record', params: IdParams, query: SettlementQuoteQuery, handler: ({ rc, params, query }) => loans.quote(rc, params.id, query.on) }),
    route({
      method: 'post', path: '/loans/:id/early-settlement', tag, summary: '提前结清(金额须与试算一致)', permission: 'payment.record', params: IdParams, body: EarlySettle, status: 201,
      handler: ({ rc, params, body, ctx }) => loans.earlySettle(rc, params.id, body, idem(ctx)),
    }),
    route({
      method: 'post', path: '/loans/:id/entries/:entryId/reverse', tag, summary: '冲正一笔放款/还款/提前结清记录', permission: 'payment.record', params: EntryParams, body: ReverseEntry,
      handler: ({ rc, params, body }) => loans.reverse(rc, params.id, params.entryId, body.reason),
    }),
    route({ method: 'post', path: '/loan-imports/preview', tag, summary: '还款导入预览(请求体为 .xlsx 文件)', permission: 'payment.record', handler: async ({ rc, ctx }) => imports.preview(rc, await statementFile(ctx)) }),
    route({ method: 'post', path: '/loan-imports', tag, summary: '还款导入确认(再次上传同一文件;已导入的行跳过)', permission: 'payment.record', handler: async ({ rc, ctx }) => imports.confirm(rc, await statementFile(ctx)) }),
  ];
}
