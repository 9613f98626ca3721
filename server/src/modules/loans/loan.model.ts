// Loans (C16, C17): one per disbursed application, its schedule of installments, and the
// append-only ledger of money movements with how each payment was allocated.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import type { InstallmentStatus, LoanEntryKind, LoanStatus, OverdueBucket, RepaymentMethod } from '../../contracts/loans';

export interface Loan {
  id: number;
  loanNo: string;
  applicationId: number;
  /** = applicationId while the loan stands; NULL once its disbursement is reversed (unique). */
  liveApplicationId: number | null;
  customerId: number;
  productId: number | null;
  ownerId: number | null;
  departmentId: number | null;
  channel: string;
  lenderLoanNo: string;
  principalFen: number;
  annualRatePpm: number;
  monthlyRatePpm: number;
  termMonths: number;
  repaymentMethod: RepaymentMethod;
  disbursedOn: string;
  firstDueOn: string;
  maturityOn: string;
  penaltyDailyRatePpm: number | null;
  status: LoanStatus;
  outstandingPrincipalFen: number;
  daysPastDue: number;
  overdueBucket: OverdueBucket;
  overdueSince: string | null;
  settledOn: string | null;
  writtenOffOn: string | null;
  createdBy: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Installment {
  id: number;
  loanId: number;
  seq: number;
  dueOn: string;
  principalFen: number;
  interestFen: number;
  penaltyFen: number;
  paidPrincipalFen: number;
  paidInterestFen: number;
  paidPenaltyFen: number;
  waivedFen: number;
  status: InstallmentStatus;
  paidOn: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LoanEntry {
  id: number;
  loanId: number;
  kind: LoanEntryKind;
  occurredOn: string;
  amountFen: number;
  principalFen: number;
  interestFen: number;
  penaltyFen: number;
  reversesEntryId: number | null;
  reversedByEntryId: number | null;
  source: 'manual' | 'import' | 'system';
  externalRef: string | null;
  note: string | null;
  createdBy: number | null;
  createdAt: Date;
}

export interface LoanAllocation {
  id: number;
  entryId: number;
  installmentId: number;
  principalFen: number;
  interestFen: number;
  penaltyFen: number;
  /** Interest or penalty forgiven by this entry (early settlement), negated on its reversal. */
  waivedFen: number;
}

// A fresh object per column: Sequelize writes the column name into the attribute object it is
// given, so one shared object would map every money attribute onto the last column.
const money = () => ({ type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });

export function defineLoanModels(s: Sequelize) {
  const Loan = defineTable<Loan, 'id' | 'liveApplicationId' | 'productId' | 'ownerId' | 'departmentId' | 'penaltyDailyRatePpm' | 'daysPastDue' | 'overdueBucket' | 'overdueSince' | 'settledOn' | 'writtenOffOn' | 'createdAt' | 'updatedAt'>(s, 'Loan', 'loans', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    loanNo: DataTypes.STRING(32),
    applicationId: DataTypes.BIGINT,
    liveApplicationId: DataTypes.BIGINT,
    customerId: DataTypes.BIGINT,
    productId: DataTypes.INTEGER,
    ownerId: DataTypes.INTEGER,
    departmentId: DataTypes.INTEGER,
    channel: DataTypes.STRING(32),
    lenderLoanNo: DataTypes.STRING(64),
    principalFen: DataTypes.BIGINT,
    annualRatePpm: DataTypes.INTEGER,
    monthlyRatePpm: DataTypes.INTEGER,
    termMonths: DataTypes.INTEGER,
    repaymentMethod: DataTypes.STRING(24),
    disbursedOn: DataTypes.DATEONLY,
    firstDueOn: DataTypes.DATEONLY,
    maturityOn: DataTypes.DATEONLY,
    penaltyDailyRatePpm: DataTypes.INTEGER,
    status: DataTypes.STRING(16),
    outstandingPrincipalFen: DataTypes.BIGINT,
    daysPastDue: { type: DataTypes.INTEGER, defaultValue: 0 },
    overdueBucket: { type: DataTypes.STRING(8), defaultValue: 'current' },
    overdueSince: DataTypes.DATEONLY,
    settledOn: DataTypes.DATEONLY,
    writtenOffOn: DataTypes.DATEONLY,
    createdBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });

  const Installment = defineTable<Installment, 'id' | 'penaltyFen' | 'paidPrincipalFen' | 'paidInterestFen' | 'paidPenaltyFen' | 'waivedFen' | 'paidOn' | 'createdAt' | 'updatedAt'>(s, 'Installment', 'installments', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    loanId: DataTypes.BIGINT,
    seq: DataTypes.INTEGER,
    dueOn: DataTypes.DATEONLY,
    principalFen: DataTypes.BIGINT,
    interestFen: DataTypes.BIGINT,
    penaltyFen: money(),
    paidPrincipalFen: money(),
    paidInterestFen: money(),
    paidPenaltyFen: money(),
    waivedFen: money(),
    status: DataTypes.STRING(12),
    paidOn: DataTypes.DATEONLY,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });

  const LoanEntry = defineTable<LoanEntry, 'id' | 'principalFen' | 'interestFen' | 'penaltyFen' | 'reversesEntryId' | 'reversedByEntryId' | 'externalRef' | 'note' | 'createdBy' | 'createdAt'>(s, 'LoanEntry', 'loan_entries', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    loanId: DataTypes.BIGINT,
    kind: DataTypes.STRING(24),
    occurredOn: DataTypes.DATEONLY,
    amountFen: DataTypes.BIGINT,
    principalFen: money(),
    interestFen: money(),
    penaltyFen: money(),
    reversesEntryId: DataTypes.BIGINT,
    reversedByEntryId: DataTypes.BIGINT,
    source: DataTypes.STRING(16),
    externalRef: DataTypes.STRING(96),
    note: DataTypes.STRING(500),
    createdBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
  }, { updatedAt: false });

  const LoanAllocation = defineTable<LoanAllocation, 'id' | 'waivedFen'>(s, 'LoanAllocation', 'loan_allocations', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    entryId: DataTypes.BIGINT,
    installmentId: DataTypes.BIGINT,
    principalFen: money(),
    interestFen: money(),
    penaltyFen: money(),
    waivedFen: money(),
  }, { timestamps: false });

  return { Loan, Installment, LoanEntry, LoanAllocation };
}
