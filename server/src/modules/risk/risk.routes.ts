// HTTP surface of risk pre-checks: the rule set and the blacklist (risk.manage), the queue of
// blocked submissions and their override (risk.override). Parse, call one service method, return.
import { route, IdParams, type RouteDef } from '../../http/route';
import { AddBlacklistEntry, OverrideRiskCheck, RemoveBlacklistEntry, RiskRuleParams, UpdateRiskRule } from '../../contracts/risk';
import type { RiskService } from './risk.service';

const tag = 'risk';

export function riskRoutes(risk: RiskService): RouteDef[] {
  return [
    route({ method: 'get', path: '/admin/risk/rules', tag, summary: '风控预检规则', permission: 'risk.manage', handler: () => risk.listRules() }),
    route({
      method: 'patch', path: '/admin/risk/rules/:kind', tag, summary: '修改风控规则(启用、命中结果、参数;留痕)', permission: 'risk.manage', params: RiskRuleParams, body: UpdateRiskRule,
      handler: ({ rc, params, body }) => risk.updateRule(rc, params.kind, body),
    }),
    route({ method: 'get', path: '/admin/risk/blacklist', tag, summary: '内部黑名单(只显示尾号)', permission: 'risk.manage', handler: () => risk.listBlacklist() }),
    route({ method: 'post', path: '/admin/risk/blacklist', tag, summary: '加入黑名单(只保存哈希)', permission: 'risk.manage', body: AddBlacklistEntry, status: 201, handler: ({ rc, body }) => risk.addBlacklist(rc, body) }),
    route({
      method: 'delete', path: '/admin/risk/blacklist/:id', tag, summary: '移出黑名单', permission: 'risk.manage', params: IdParams, body: RemoveBlacklistEntry,
      handler: async ({ rc, params, body }) => void (await risk.removeBlacklist(rc, params.id, body.reason)),
    }),
    route({ method: 'get', path: '/risk/blocked', tag, summary: '被风控预检拦截、待放行的进件', permission: 'risk.override', handler: () => risk.blocked() }),
    route({
      method: 'post', path: '/applications/:id/risk-override', tag, summary: '放行被风控预检拦截的进件(须填写原因;留痕)', permission: 'risk.override', params: IdParams, body: OverrideRiskCheck,
      handler: ({ rc, params, body }) => risk.override(rc, params.id, body.reason),
    }),
  ];
}
