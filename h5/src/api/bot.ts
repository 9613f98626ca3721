// Admin API of the bot: delivery log, dead-letter retry, console messages, team robots, alerts.
import { get, http, patch, post, cleanParams } from '@/utils/request';
import type { BotChannel, BotMessageStatus, BotPayload } from '@contracts/bot';
import type { CreateTeamRobot, RobotProvider, UpdateTeamRobot } from '@contracts/bot-admin.schemas';
import type { DepartmentKind } from '@contracts/roles';

export interface BotAttempt {
  attemptNo: number;
  outcome: 'sent' | 'transient' | 'permanent' | 'deferred';
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number | null;
  at: string;
}

export interface BotMessageItem {
  id: number;
  channel: BotChannel;
  channelName: string;
  kind: string;
  status: BotMessageStatus;
  statusName: string;
  recipient: string;
  recipientName: string | null;
  departmentName: string | null;
  payload: BotPayload;
  attempts: number;
  nextAttemptAt: string;
  sentAt: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  createdAt: string;
  attemptLog: BotAttempt[];
}

export interface BotMessagePage {
  items: BotMessageItem[];
  nextBeforeId: number | null;
}

export interface TeamRobotView {
  id: number;
  departmentId: number;
  departmentName: string | null;
  provider: RobotProvider;
  providerName: string;
  name: string;
  enabled: boolean;
  token: string;
  secret: string | null;
}

export interface AdminAlertView {
  id: number;
  kind: string;
  message: string;
  count: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface RobotTeams {
  providers: RobotProvider[];
  departments: { id: number; name: string; kind: DepartmentKind }[];
}

export const botApi = {
  messages: (q: { status?: BotMessageStatus; channel?: BotChannel; beforeId?: number | null }) =>
    get<BotMessagePage>('/admin/bot/messages', { params: cleanParams(q), silent: true }),
  consoleMessages: (beforeId?: number | null) => get<BotMessagePage>('/admin/bot/console', { params: cleanParams({ beforeId }), silent: true }),
  retry: (id: number) => post<BotMessageItem>(`/admin/bot/messages/${id}/retry`),
  alerts: () => get<AdminAlertView[]>('/admin/alerts', { silent: true }),
  resolveAlert: (id: number) => post<{ id: number; resolvedAt: string }>(`/admin/alerts/${id}/resolve`),
  robots: () => get<TeamRobotView[]>('/admin/team-robots', { silent: true }),
  robotTeams: () => get<RobotTeams>('/admin/team-robots/teams', { silent: true }),
  createRobot: (body: CreateTeamRobot) => post<TeamRobotView>('/admin/team-robots', body, { silent: true }),
  updateRobot: (id: number, body: UpdateTeamRobot) => patch<TeamRobotView>(`/admin/team-robots/${id}`, body, { silent: true }),
  deleteRobot: async (id: number) => {
    await http.delete(`/admin/team-robots/${id}`);
  },
  testRobot: (id: number) => post<BotMessageItem>(`/admin/team-robots/${id}/test`),
};
