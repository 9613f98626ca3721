// Commission endpoints: rules (finance/admin edit, director reads), monthly statements and their export.
import { route, IdParams, type RouteDef } from '../../http/route';
import { CommissionRuleInput, StatementParams, StatementQuery } from '../../contracts/commissions';
import type { CommissionService } from './commission.service';

const PeriodQuery = StatementQuery.pick({ period: true });

export function commissionRoutes(c: CommissionService): RouteDef[] {
  return [
    route({ method: 'get', path: '/commissions/rules', tag: 'commissions', summary: '返佣规则', permission: 'commission.view', handler: () => c.listRules() }),
    route({ method: 'post', path: '/commissions/rules', tag: 'commissions', summary: '新建返佣规则', permission: 'commission.manage', status: 201, body: CommissionRuleInput, handler: ({ rc, body }) => c.createRule(rc, body) }),
    route({ method: 'put', path: '/commissions/rules/:id', tag: 'commissions', summary: '修改返佣规则(只影响之后放款的贷款)', permission: 'commission.manage', params: IdParams, body: CommissionRuleInput, handler: ({ rc, params, body }) => c.updateRule(rc, params.id, body) }),
    route({ method: 'get', path: '/commissions/statements', tag: 'commissions', summary: '某月各渠道(或信贷员)返佣汇总', permission: 'commission.view', query: StatementQuery, handler: ({ query }) => c.statements(query.period, query.beneficiary) }),
    route({
      method: 'get', path: '/commissions/statements/:beneficiary/:key', tag: 'commissions', summary: '返佣对账单(逐笔贷款)', permission: 'commission.view',
      params: StatementParams, query: PeriodQuery, handler: ({ params, query }) => c.statement(query.period, params.beneficiary, params.key),
    }),
    route({
      method: 'get', path: '/commissions/statements/:beneficiary/:key/export', tag: 'commissions', summary: '导出返佣对账单(Excel)', permission: 'commission.view',
      params: StatementParams, query: PeriodQuery,
      handler: async ({ rc, params, query, ctx }) => {
        const f = await c.exportStatement(rc, query.period, params.beneficiary, params.key);
        ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}`);
        ctx.body = f.buffer;
      },
    }),
  ];
}
