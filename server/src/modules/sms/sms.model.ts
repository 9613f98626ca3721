// The SMS log/outbox (C18) and the customer's SMS settings. `SmsCustomer` maps only the two SMS
// columns of `customers` (added by migration 0018), so this module owns them without widening the
// customers module's model.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import type { SmsPurpose, SmsStatus } from '../../contracts/sms';

export interface SmsMessage {
  id: number;
  businessKey: string;
  customerId: number;
  loanId: number | null;
  installmentId: number | null;
  ownerId: number | null;
  purpose: SmsPurpose;
  phoneEnc: string;
  phoneHash: string;
  phoneLast4: string;
  templateCode: string | null;
  params: string;
  text: string;
  status: SmsStatus;
  provider: string | null;
  providerMessageId: string | null;
  providerCode: string | null;
  providerMessage: string | null;
  deliveryCode: string | null;
  deliveredAt: Date | null;
  attempts: number;
  nextAttemptAt: Date;
  claimedBy: string | null;
  claimUntil: Date | null;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SmsCustomer {
  id: number;
  smsOptOut: boolean;
  smsInvalidPhoneHash: string | null;
}

type SmsOptional = 'id' | 'loanId' | 'installmentId' | 'ownerId' | 'templateCode' | 'provider' | 'providerMessageId' | 'providerCode' | 'providerMessage' | 'deliveryCode' | 'deliveredAt' | 'attempts' | 'claimedBy' | 'claimUntil' | 'sentAt' | 'createdAt' | 'updatedAt';

export function defineSmsModels(s: Sequelize) {
  const SmsMessage = defineTable<SmsMessage, SmsOptional>(s, 'SmsMessage', 'sms_messages', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    businessKey: DataTypes.STRING(120),
    customerId: DataTypes.BIGINT,
    loanId: DataTypes.BIGINT,
    installmentId: DataTypes.BIGINT,
    ownerId: DataTypes.INTEGER,
    purpose: DataTypes.STRING(24),
    phoneEnc: DataTypes.STRING(255),
    phoneHash: DataTypes.CHAR(64),
    phoneLast4: DataTypes.CHAR(4),
    templateCode: DataTypes.STRING(64),
    params: DataTypes.TEXT,
    text: DataTypes.STRING(500),
    status: DataTypes.STRING(12),
    provider: DataTypes.STRING(12),
    providerMessageId: DataTypes.STRING(96),
    providerCode: DataTypes.STRING(96),
    providerMessage: DataTypes.STRING(500),
    deliveryCode: DataTypes.STRING(64),
    deliveredAt: DataTypes.DATE(3),
    attempts: { type: DataTypes.INTEGER, defaultValue: 0 },
    nextAttemptAt: DataTypes.DATE(3),
    claimedBy: DataTypes.STRING(64),
    claimUntil: DataTypes.DATE(3),
    sentAt: DataTypes.DATE(3),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const SmsCustomer = defineTable<SmsCustomer>(s, 'SmsCustomer', 'customers', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    smsOptOut: DataTypes.BOOLEAN,
    smsInvalidPhoneHash: DataTypes.CHAR(64),
  }, { timestamps: false });
  return { SmsMessage, SmsCustomer };
}
