// Products in applications and contracts (issue #6, C14, C15): the product an application was
// matched to, the customer facts product eligibility tests (occupation, credit standing),
// contract templates (.docx per product), contracts generated from them, and their signatures
// (a provider's evidence: for the manual provider an uploaded scan confirmed by a second person).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../../server/src/db/migrator';

const ts = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const int = (allowNull = true) => ({ type: DataTypes.INTEGER, allowNull });
const big = (allowNull = true) => ({ type: DataTypes.BIGINT, allowNull });

export async function up({ queryInterface: q }: MigrationContext) {
  // Old rows keep only the product name text; new ones point at the catalogue too.
  await q.addColumn('applications', 'product_id', int());
  await q.addColumn('customers', 'occupation', str(20)); // contracts/catalog.ts OCCUPATIONS
  await q.addColumn('customers', 'credit_status', str(20)); // CREDIT_STATUSES
  await q.addColumn('customers', 'credit_notes', str(200));

  await q.createTable('contract_templates', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    product_id: int(false),
    name: str(64, false),
    file_name: str(200, false),
    storage_key: str(255, false),
    size_bytes: int(false),
    sha256: { type: DataTypes.CHAR(64), allowNull: false },
    placeholders: { type: DataTypes.TEXT, allowNull: false }, // JSON string[]
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    uploaded_by: int(false),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('contract_templates', ['product_id', 'enabled'], { name: 'ix_contract_templates_product' });

  await q.createTable('contracts', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    contract_no: str(32, false), // HT + Shanghai date + application id + sequence
    application_id: big(false),
    customer_id: big(false),
    product_id: int(false),
    template_id: int(false),
    status: str(24, false), // CONTRACT_STATUSES
    amount_fen: big(false),
    annual_rate_ppm: int(false),
    term_months: int(false),
    repayment_method: str(24, false),
    file_name: str(200, false),
    storage_key: str(255, false),
    size_bytes: int(false),
    sha256: { type: DataTypes.CHAR(64), allowNull: false },
    provider: str(16, false), // SIGNATURE_PROVIDERS
    generated_by: int(false),
    signed_at: ts(true),
    voided_at: ts(true),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('contracts', ['contract_no'], { unique: true, name: 'uq_contracts_no' });
  await q.addIndex('contracts', ['application_id', 'id'], { name: 'ix_contracts_application' });

  await q.createTable('contract_signatures', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    contract_id: big(false),
    provider: str(16, false),
    status: str(16, false), // SIGNATURE_STATUSES
    file_name: str(200, true),
    mime: str(64, true),
    storage_key: str(255, true),
    size_bytes: int(true),
    sha256: { type: DataTypes.CHAR(64), allowNull: true },
    external_ref: str(128, true), // an e-signature provider's flow id
    uploaded_by: int(false),
    confirmed_by: int(true),
    confirmed_at: ts(true),
    reject_reason: str(200, true),
    created_at: ts(),
    updated_at: ts(),
  });
  await q.addIndex('contract_signatures', ['contract_id', 'id'], { name: 'ix_contract_signatures_contract' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('contract_signatures');
  await q.dropTable('contracts');
  await q.dropTable('contract_templates');
  await q.removeColumn('customers', 'credit_notes');
  await q.removeColumn('customers', 'credit_status');
  await q.removeColumn('customers', 'occupation');
  await q.removeColumn('applications', 'product_id');
}
