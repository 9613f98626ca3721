// 数据 page and report builder API: the metrics endpoints (C21) and the builder's run / saved
// reports (C23). Query shapes and answers are the server's contracts.
import { cleanParams, get, http, patch, post } from '@/utils/request';
import type {
  ActivityReport,
  ApplicationsReport,
  DrillReport,
  DrillMetric,
  FunnelBy,
  FunnelReport,
  LeaderboardBy,
  LeaderboardMetric,
  LeaderboardReport,
  LoansReport,
  OverviewReport,
  ReportQueryInput,
} from '@contracts/reports';
import type { DATASETS, ReportDefinitionInput, ReportResult, SavedReportView } from '@contracts/report-builder';

export type MetricsQuery = ReportQueryInput;

export const reportsApi = {
  overview: (q: MetricsQuery) => get<OverviewReport>('/reports/overview', { params: cleanParams(q), silent: true }),
  funnel: (q: MetricsQuery, by: FunnelBy = 'none') => get<FunnelReport>('/reports/funnel', { params: cleanParams({ ...q, by }), silent: true }),
  activity: (q: MetricsQuery) => get<ActivityReport>('/reports/activity', { params: cleanParams(q), silent: true }),
  applications: (q: MetricsQuery) => get<ApplicationsReport>('/reports/applications', { params: cleanParams(q), silent: true }),
  loans: (q: MetricsQuery) => get<LoansReport>('/reports/loans', { params: cleanParams(q), silent: true }),
  leaderboard: (q: MetricsQuery, metric: LeaderboardMetric, by: LeaderboardBy, limit = 10) =>
    get<LeaderboardReport>('/reports/leaderboard', { params: cleanParams({ ...q, metric, by, limit }), silent: true }),
  drill: (q: MetricsQuery & { metric: DrillMetric; dim?: string; key?: string; page?: number; pageSize?: number }) =>
    get<DrillReport>('/reports/drill', { params: cleanParams(q), silent: true }),
};

export const builderApi = {
  datasets: () => get<typeof DATASETS>('/reports/builder/datasets'),
  run: (definition: ReportDefinitionInput) => post<ReportResult>('/reports/builder/run', { definition }, { silent: true }),
  saved: () => get<{ mine: SavedReportView[]; sharedWithMe: SavedReportView[] }>('/reports/builder/saved'),
  get: (id: number) => get<SavedReportView>(`/reports/builder/saved/${id}`),
  save: (body: { name: string; visibility: 'personal' | 'shared'; definition: ReportDefinitionInput }) => post<SavedReportView>('/reports/builder/saved', body, { silent: true }),
  update: (id: number, body: { name?: string; visibility?: 'personal' | 'shared'; definition?: ReportDefinitionInput }) => patch<SavedReportView>(`/reports/builder/saved/${id}`, body, { silent: true }),
  remove: async (id: number) => void (await http.delete(`/reports/builder/saved/${id}`)),
  runSaved: (id: number) => post<{ report: SavedReportView; result: ReportResult }>(`/reports/builder/saved/${id}/run`, {}, { silent: true }),
};
