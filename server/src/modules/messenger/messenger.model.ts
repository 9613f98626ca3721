// Messenger-side state kept in the database: shared access tokens/tickets, received callback
// events (deduplicated), org sync runs, admin alerts and scheduled-job leases.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';

export interface MessengerToken {
  tokenKey: string;
  value: string | null;
  expiresAt: Date | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  updatedAt: Date;
}

export type CallbackSource = 'wecom' | 'dingtalk' | 'stream';
export type CallbackStatus = 'received' | 'handled' | 'failed' | 'ignored';

export interface CallbackEvent {
  id: number;
  source: CallbackSource;
  dedupeKey: string;
  eventType: string;
  payload: Record<string, unknown>;
  status: CallbackStatus;
  attempts: number;
  leaseUntil: Date | null;
  error: string | null;
  /** What the handler decided (card update, chat reply), so a retry re-applies it without re-running the handler. */
  result: Record<string, unknown> | null;
  handledAt: Date | null;
  createdAt: Date;
}

export interface OrgSyncRun {
  id: number;
  provider: 'wecom' | 'dingtalk';
  trigger: 'manual' | 'nightly' | 'startup';
  status: 'running' | 'succeeded' | 'failed';
  actorId: number | null;
  stats: Record<string, unknown> | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface AdminAlert {
  id: number;
  kind: string;
  dedupeKey: string;
  message: string;
  details: Record<string, unknown> | null;
  count: number;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface JobLease {
  name: string;
  owner: string | null;
  leaseUntil: Date | null;
  lastRunAt: Date | null;
  lastResult: string | null;
  lastDurationMs: number | null;
  lastOutcome: 'ok' | 'error' | null;
}

export function defineMessengerModels(s: Sequelize) {
  const MessengerToken = defineTable<MessengerToken, 'value' | 'expiresAt' | 'leaseOwner' | 'leaseUntil' | 'updatedAt'>(
    s, 'MessengerToken', 'messenger_tokens',
    {
      tokenKey: { type: DataTypes.STRING(96), primaryKey: true },
      value: DataTypes.TEXT,
      expiresAt: DataTypes.DATE(3),
      leaseOwner: DataTypes.STRING(64),
      leaseUntil: DataTypes.DATE(3),
      updatedAt: DataTypes.DATE(3),
    },
    { createdAt: false },
  );
  const CallbackEvent = defineTable<CallbackEvent, 'id' | 'status' | 'attempts' | 'leaseUntil' | 'error' | 'result' | 'handledAt' | 'createdAt'>(
    s, 'CallbackEvent', 'callback_events',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      source: DataTypes.STRING(16),
      dedupeKey: DataTypes.STRING(191),
      eventType: DataTypes.STRING(64),
      payload: jsonColumn('payload', false),
      status: { type: DataTypes.STRING(16), defaultValue: 'received' },
      attempts: { type: DataTypes.INTEGER, defaultValue: 0 },
      leaseUntil: DataTypes.DATE(3),
      error: DataTypes.TEXT,
      result: jsonColumn('result'),
      handledAt: DataTypes.DATE(3),
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  const OrgSyncRun = defineTable<OrgSyncRun, 'id' | 'actorId' | 'stats' | 'error' | 'startedAt' | 'finishedAt'>(
    s, 'OrgSyncRun', 'org_sync_runs',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      provider: DataTypes.STRING(16),
      trigger: DataTypes.STRING(16),
      status: DataTypes.STRING(16),
      actorId: DataTypes.INTEGER,
      stats: jsonColumn('stats'),
      error: DataTypes.TEXT,
      startedAt: DataTypes.DATE(3),
      finishedAt: DataTypes.DATE(3),
    },
    { timestamps: false },
  );
  const AdminAlert = defineTable<AdminAlert, 'id' | 'details' | 'count' | 'resolvedAt' | 'createdAt' | 'updatedAt'>(
    s, 'AdminAlert', 'admin_alerts',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      kind: DataTypes.STRING(48),
      dedupeKey: DataTypes.STRING(191),
      message: DataTypes.STRING(500),
      details: jsonColumn('details'),
      count: { type: DataTypes.INTEGER, defaultValue: 1 },
      resolvedAt: DataTypes.DATE(3),
      createdAt: DataTypes.DATE(3),
      updatedAt: DataTypes.DATE(3),
    },
  );
  const JobLease = defineTable<JobLease, 'owner' | 'leaseUntil' | 'lastRunAt' | 'lastResult' | 'lastDurationMs' | 'lastOutcome'>(
    s, 'JobLease', 'job_leases',
    {
      name: { type: DataTypes.STRING(64), primaryKey: true },
      owner: DataTypes.STRING(64),
      leaseUntil: DataTypes.DATE(3),
      lastRunAt: DataTypes.DATE(3),
      lastResult: DataTypes.TEXT,
      lastDurationMs: DataTypes.INTEGER,
      lastOutcome: DataTypes.STRING(16),
    },
    { timestamps: false },
  );
  return { MessengerToken, CallbackEvent, OrgSyncRun, AdminAlert, JobLease };
}
