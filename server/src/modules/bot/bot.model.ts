// The bot's outbox (one row per message), its delivery log, and the team group robots.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { BotChannel, BotMessageStatus, BotPayload } from '../../contracts/bot';

export interface BotMessage {
  id: number;
  idemKey: string;
  channel: BotChannel;
  kind: string;
  recipientUserId: number | null;
  recipient: string;
  departmentId: number | null;
  payload: BotPayload;
  refType: string | null;
  refId: string | null;
  status: BotMessageStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  /** Claim token of the dispatcher holding the row while it is `sending` (migration 0005). */
  leaseOwner: string | null;
  batchId: string | null;
  externalId: string | null;
  responseCode: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface BotMessageAttempt {
  id: number;
  messageId: number;
  attemptNo: number;
  outcome: 'sent' | 'transient' | 'permanent' | 'deferred';
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number | null;
  createdAt: Date;
}

export interface TeamRobot {
  id: number;
  departmentId: number;
  provider: 'wecom' | 'dingtalk';
  name: string;
  tokenEnc: string;
  secretEnc: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type BotMessageOptional =
  | 'id' | 'recipientUserId' | 'departmentId' | 'refType' | 'refId' | 'status' | 'attempts' | 'nextAttemptAt' | 'leaseUntil' | 'leaseOwner'
  | 'batchId' | 'externalId' | 'responseCode' | 'lastErrorCode' | 'lastError' | 'sentAt' | 'createdAt' | 'updatedAt';

export function defineBotModels(s: Sequelize) {
  const BotMessage = defineTable<BotMessage, BotMessageOptional>(s, 'BotMessage', 'bot_messages', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    idemKey: DataTypes.STRING(160),
    channel: DataTypes.STRING(32),
    kind: DataTypes.STRING(48),
    recipientUserId: DataTypes.INTEGER,
    recipient: DataTypes.STRING(255),
    departmentId: DataTypes.INTEGER,
    payload: jsonColumn('payload', false),
    refType: DataTypes.STRING(32),
    refId: DataTypes.STRING(64),
    status: { type: DataTypes.STRING(16), defaultValue: 'pending' },
    attempts: { type: DataTypes.INTEGER, defaultValue: 0 },
    nextAttemptAt: { type: DataTypes.DATE(3), defaultValue: DataTypes.NOW },
    leaseUntil: DataTypes.DATE(3),
    leaseOwner: DataTypes.STRING(64),
    batchId: DataTypes.STRING(64),
    externalId: DataTypes.STRING(128),
    responseCode: DataTypes.STRING(255),
    lastErrorCode: DataTypes.STRING(64),
    lastError: DataTypes.TEXT,
    sentAt: DataTypes.DATE(3),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const BotMessageAttempt = defineTable<BotMessageAttempt, 'id' | 'errorCode' | 'errorMessage' | 'durationMs' | 'createdAt'>(
    s, 'BotMessageAttempt', 'bot_message_attempts',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      messageId: DataTypes.BIGINT,
      attemptNo: DataTypes.INTEGER,
      outcome: DataTypes.STRING(16),
      errorCode: DataTypes.STRING(64),
      errorMessage: DataTypes.TEXT,
      durationMs: DataTypes.INTEGER,
      createdAt: DataTypes.DATE(3),
    },
    { updatedAt: false },
  );
  const TeamRobot = defineTable<TeamRobot, 'id' | 'secretEnc' | 'enabled' | 'createdAt' | 'updatedAt'>(s, 'TeamRobot', 'team_robots', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    departmentId: DataTypes.INTEGER,
    provider: DataTypes.STRING(16),
    name: DataTypes.STRING(64),
    tokenEnc: DataTypes.TEXT,
    secretEnc: DataTypes.TEXT,
    enabled: { type: DataTypes.BOOLEAN, defaultValue: true },
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  return { BotMessage, BotMessageAttempt, TeamRobot };
}
