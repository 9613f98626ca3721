// Contract templates (.docx per product), contracts generated from them, and signatures (C15).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { ContractStatus, SignatureProviderKey, SignatureStatus } from '../../contracts/contracts';
import type { RepaymentMethod } from '../../contracts/applications';

export interface ContractTemplate {
  id: number;
  productId: number;
  name: string;
  fileName: string;
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  placeholders: string[];
  enabled: boolean;
  uploadedBy: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Contract {
  id: number;
  contractNo: string;
  applicationId: number;
  customerId: number;
  productId: number;
  templateId: number;
  status: ContractStatus;
  amountFen: number;
  annualRatePpm: number;
  termMonths: number;
  repaymentMethod: RepaymentMethod;
  fileName: string;
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  provider: SignatureProviderKey;
  generatedBy: number;
  signedAt: Date | null;
  voidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContractSignature {
  id: number;
  contractId: number;
  provider: SignatureProviderKey;
  status: SignatureStatus;
  fileName: string | null;
  mime: string | null;
  storageKey: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  externalRef: string | null;
  uploadedBy: number;
  confirmedBy: number | null;
  confirmedAt: Date | null;
  rejectReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function defineContractModels(s: Sequelize) {
  const ContractTemplate = defineTable<ContractTemplate, 'id' | 'enabled' | 'createdAt' | 'updatedAt'>(s, 'ContractTemplate', 'contract_templates', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    productId: DataTypes.INTEGER,
    name: DataTypes.STRING(64),
    fileName: DataTypes.STRING(200),
    storageKey: DataTypes.STRING(255),
    sizeBytes: DataTypes.INTEGER,
    sha256: DataTypes.CHAR(64),
    placeholders: jsonColumn('placeholders', false),
    enabled: DataTypes.BOOLEAN,
    uploadedBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const Contract = defineTable<Contract, 'id' | 'signedAt' | 'voidedAt' | 'createdAt' | 'updatedAt'>(s, 'Contract', 'contracts', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    contractNo: DataTypes.STRING(32),
    applicationId: DataTypes.BIGINT,
    customerId: DataTypes.BIGINT,
    productId: DataTypes.INTEGER,
    templateId: DataTypes.INTEGER,
    status: DataTypes.STRING(24),
    amountFen: DataTypes.BIGINT,
    annualRatePpm: DataTypes.INTEGER,
    termMonths: DataTypes.INTEGER,
    repaymentMethod: DataTypes.STRING(24),
    fileName: DataTypes.STRING(200),
    storageKey: DataTypes.STRING(255),
    sizeBytes: DataTypes.INTEGER,
    sha256: DataTypes.CHAR(64),
    provider: DataTypes.STRING(16),
    generatedBy: DataTypes.INTEGER,
    signedAt: DataTypes.DATE(3),
    voidedAt: DataTypes.DATE(3),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const ContractSignature = defineTable<
    ContractSignature,
    'id' | 'fileName' | 'mime' | 'storageKey' | 'sizeBytes' | 'sha256' | 'externalRef' | 'confirmedBy' | 'confirmedAt' | 'rejectReason' | 'createdAt' | 'updatedAt'
  >(s, 'ContractSignature', 'contract_signatures', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    contractId: DataTypes.BIGINT,
    provider: DataTypes.STRING(16),
    status: DataTypes.STRING(16),
    fileName: DataTypes.STRING(200),
    mime: DataTypes.STRING(64),
    storageKey: DataTypes.STRING(255),
    sizeBytes: DataTypes.INTEGER,
    sha256: DataTypes.CHAR(64),
    externalRef: DataTypes.STRING(128),
    uploadedBy: DataTypes.INTEGER,
    confirmedBy: DataTypes.INTEGER,
    confirmedAt: DataTypes.DATE(3),
    rejectReason: DataTypes.STRING(200),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  return { ContractTemplate, Contract, ContractSignature };
}
