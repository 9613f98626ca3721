import { route, type RouteDef } from '../../http/route';
import {
  ChannelCostInput,
  DrillQueryFields,
  FunnelQueryFields,
  LeaderboardQuery,
  ReportQuery,
  ReportQueryFields,
  drillKeyCheck,
  periodChecked,
} from '../../contracts/reports';
import type { MetricsService } from './metrics.service';
import type { ChannelCostService } from './channel-cost.service';

const FunnelQuery = periodChecked(ReportQueryFields.extend(FunnelQueryFields.shape));
const LeaderboardReportQuery = periodChecked(ReportQueryFields.extend(LeaderboardQuery.shape));
const DrillReportQuery = periodChecked(ReportQueryFields.extend(DrillQueryFields.shape)).refine(drillKeyCheck.check, { message: drillKeyCheck.message, path: ['key'] });

export function reportRoutes(metrics: MetricsService, costs: ChannelCostService): RouteDef[] {
  const tag = 'reports';
  return [
    route({ method: 'get', path: '/reports/overview', tag, summary: '数据概览', permission: 'report.view', query: ReportQuery, handler: ({ rc, query }) => metrics.overview(rc.actor, query) }),
    route({ method: 'get', path: '/reports/funnel', tag, summary: '转化漏斗', permission: 'report.view', query: FunnelQuery, handler: ({ rc, query: { by, ...q } }) => metrics.funnel(rc.actor, q, { by }) }),
    route({ method: 'get', path: '/reports/activity', tag, summary: '跟进活动', permission: 'report.view', query: ReportQuery, handler: ({ rc, query }) => metrics.activity(rc.actor, query) }),
    route({ method: 'get', path: '/reports/applications', tag, summary: '进件与审批', permission: 'report.view', query: ReportQuery, handler: ({ rc, query }) => metrics.applications(rc.actor, query) }),
    route({ method: 'get', path: '/reports/loans', tag, summary: '放款与回款', permission: 'report.view', query: ReportQuery, handler: ({ rc, query }) => metrics.loans(rc.actor, query) }),
    route({ method: 'get', path: '/reports/leaderboard', tag, summary: '排行榜', permission: 'report.view', query: LeaderboardReportQuery, handler: ({ rc, query: { metric, by, limit, ...q } }) => metrics.leaderboard(rc.actor, q, { metric, by, limit }) }),
    route({ method: 'get', path: '/reports/drill', tag, summary: '数据明细', permission: 'report.view', query: DrillReportQuery, handler: ({ rc, query: { metric, dim, key, page, pageSize, ...q } }) => metrics.drill(rc.actor, q, { metric, dim, key, page, pageSize }) }),
    route({ method: 'get', path: '/reports/channel-costs', tag, summary: '渠道费用', permission: 'report.view', handler: () => costs.list() }),
    route({ method: 'put', path: '/reports/channel-costs', tag, summary: '录入渠道月度费用', permission: 'report.costs', body: ChannelCostInput, handler: ({ rc, body }) => costs.upsert(rc, body) }),
  ];
}
