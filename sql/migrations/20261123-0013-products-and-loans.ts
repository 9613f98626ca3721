// Products and loans (issue #6, C14, C16, C17): the product catalogue, one loan per disbursed
// application with its repayment schedule, and an append-only ledger of money movements.
// Amounts are integer fen, rates integer ppm (contracts/loans.ts), dates Asia/Shanghai
// business dates stored as DATEONLY. A correction is a reversal entry, never an edit in place:
// installments hold the running paid amounts (a cache of the ledger, rebuilt from it on reversal).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const bigId = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const day = (allowNull = true) => ({ type: DataTypes.DATEONLY, allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const int = (allowNull = true, defaultValue?: number) => ({ type: DataTypes.INTEGER, allowNull, defaultValue });
const big = (allowNull = true) => ({ type: DataTypes.BIGINT, allowNull });
const fen = (defaultValue?: number) => ({ type: DataTypes.BIGINT, allowNull: false, defaultValue });
const text = (allowNull = true) => ({ type: DataTypes.TEXT, allowNull });
const bool = (defaultValue: boolean) => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue });

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('products', {
    id,
    code: str(32, false),
    name: str(64, false),
    lender_kind: str(24, false), // contracts/loans.ts LENDER_KINDS
    lender_name: str(64, false),
    type: str(16, false), // PRODUCT_TYPES
    rate_min_ppm: int(false), // annual rate range
    rate_max_ppm: int(false),
    term_min_months: int(false),
    term_max_months: int(false),
    amount_min_fen: fen(),
    amount_max_fen: fen(),
    repayment_methods: text(false), // JSON RepaymentMethod[]
    /** Monthly rate = annual / 12 unless this is set (a lender quoting a monthly rate directly). */
    monthly_rate_ppm: int(true),
    penalty_daily_rate_ppm: int(true), // optional penalty interest on overdue principal (C19)
    eligibility: text(true), // JSON ConditionGroup (contracts/rules.ts), evaluated by modules/rules
    required_documents: text(false), // JSON DocumentKind[]
    description: str(500),
    enabled: bool(true),
    sort_order: int(false, 0),
    created_by: int(),
    updated_by: int(),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('products', ['code'], { unique: true, name: 'uq_products_code' });

  await q.createTable('loans', {
    id: bigId,
    loan_no: str(32, false), // ours, e.g. L202611230001
    application_id: big(false),
    customer_id: big(false),
    product_id: int(true),
    owner_id: int(true), // the customer's owner at disbursement (commission, reports)
    department_id: int(true), // the owner's team at disbursement
    channel: str(32, false), // the customer's channel at disbursement
    lender_loan_no: str(64, false),
    principal_fen: fen(),
    annual_rate_ppm: int(false),
    monthly_rate_ppm: int(false), // the rate the schedule was computed with
    term_months: int(false),
    repayment_method: str(24, false),
    disbursed_on: day(false),
    first_due_on: day(false),
    maturity_on: day(false),
    penalty_daily_rate_ppm: int(true),
    status: str(16, false), // LOAN_STATUSES
    outstanding_principal_fen: fen(),
    days_past_due: int(false, 0),
    overdue_bucket: str(8, false), // OVERDUE_BUCKETS, kept by the nightly overdue job
    overdue_since: day(true),
    settled_on: day(true),
    written_off_on: day(true),
    created_by: int(false),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('loans', ['loan_no'], { unique: true, name: 'uq_loans_no' });
  // One live loan per application; a reversed disbursement keeps its row (status reversed) and
  // frees the application through `live_application_id` being NULL.
  await q.addColumn('loans', 'live_application_id', big(true));
  await q.addIndex('loans', ['live_application_id'], { unique: true, name: 'uq_loans_live_application' });
  await q.addIndex('loans', ['customer_id'], { name: 'ix_loans_customer' });
  await q.addIndex('loans', ['status', 'overdue_bucket'], { name: 'ix_loans_status_bucket' });
  await q.addIndex('loans', ['disbursed_on'], { name: 'ix_loans_disbursed_on' });
  await q.addIndex('loans', ['owner_id', 'disbursed_on'], { name: 'ix_loans_owner' });
  await q.addIndex('loans', ['product_id', 'disbursed_on'], { name: 'ix_loans_product' });

  await q.createTable('installments', {
    id: bigId,
    loan_id: big(false),
    seq: int(false), // 1-based
    due_on: day(false),
    principal_fen: fen(),
    interest_fen: fen(),
    penalty_fen: fen(0), // penalty interest accrued so far (nightly overdue job)
    paid_principal_fen: fen(0),
    paid_interest_fen: fen(0),
    paid_penalty_fen: fen(0),
    waived_fen: fen(0), // interest/penalty forgiven by an early settlement
    status: str(12, false), // INSTALLMENT_STATUSES
    paid_on: day(true), // the date it became fully paid
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('installments', ['loan_id', 'seq'], { unique: true, name: 'uq_installments_loan_seq' });
  await q.addIndex('installments', ['due_on', 'status'], { name: 'ix_installments_due' });
  await q.addIndex('installments', ['status', 'due_on'], { name: 'ix_installments_status_due' });

  // The ledger: every money movement on a loan, append-only.
  await q.createTable('loan_entries', {
    id: bigId,
    loan_id: big(false),
    kind: str(24, false), // LOAN_ENTRY_KINDS
    occurred_on: day(false),
    amount_fen: fen(), // total; for a reversal the negated total of the entry it cancels
    principal_fen: fen(0),
    interest_fen: fen(0),
    penalty_fen: fen(0),
    reverses_entry_id: big(true),
    reversed_by_entry_id: big(true),
    source: str(16, false), // manual | import | system
    /** Idempotency: a statement line or a client key; unique per loan so a retried import adds nothing. */
    external_ref: str(96, true),
    note: str(500),
    created_by: int(true),
    created_at: ts(),
  });
  await q.addIndex('loan_entries', ['loan_id', 'id'], { name: 'ix_loan_entries_loan' });
  await q.addIndex('loan_entries', ['loan_id', 'external_ref'], { unique: true, name: 'uq_loan_entries_ref' });
  await q.addIndex('loan_entries', ['kind', 'occurred_on'], { name: 'ix_loan_entries_kind_day' });

  // How a payment entry was split over installments (penalty → interest → principal).
  await q.createTable('loan_allocations', {
    id: bigId,
    entry_id: big(false),
    installment_id: big(false),
    principal_fen: fen(0),
    interest_fen: fen(0),
    penalty_fen: fen(0),
  });
  await q.addIndex('loan_allocations', ['entry_id'], { name: 'ix_loan_allocations_entry' });
  await q.addIndex('loan_allocations', ['installment_id'], { name: 'ix_loan_allocations_installment' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  for (const t of ['loan_allocations', 'loan_entries', 'installments', 'loans', 'products']) await q.dropTable(t);
}
