// The product catalogue (C14): what each lender offers and who qualifies.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import { jsonColumn } from '../../db/json-column';
import type { LenderKind, ProductType, RepaymentMethod } from '../../contracts/loans';
import type { DocumentKind } from '../../contracts/applications';
import type { RuleGroup } from '../../contracts/rules';

export interface Product {
  id: number;
  code: string;
  name: string;
  lenderKind: LenderKind;
  lenderName: string;
  type: ProductType;
  rateMinPpm: number;
  rateMaxPpm: number;
  termMinMonths: number;
  termMaxMonths: number;
  amountMinFen: number;
  amountMaxFen: number;
  repaymentMethods: RepaymentMethod[];
  /** Set when the lender quotes a monthly rate; otherwise monthly = annual / 12. */
  monthlyRatePpm: number | null;
  penaltyDailyRatePpm: number | null;
  eligibility: RuleGroup | null;
  requiredDocuments: DocumentKind[];
  description: string | null;
  enabled: boolean;
  sortOrder: number;
  createdBy: number | null;
  updatedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

type Optional = 'id' | 'monthlyRatePpm' | 'penaltyDailyRatePpm' | 'eligibility' | 'description' | 'enabled' | 'sortOrder' | 'createdBy' | 'updatedBy' | 'createdAt' | 'updatedAt';

export function defineProductModels(s: Sequelize) {
  const Product = defineTable<Product, Optional>(s, 'Product', 'products', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    code: DataTypes.STRING(32),
    name: DataTypes.STRING(64),
    lenderKind: DataTypes.STRING(24),
    lenderName: DataTypes.STRING(64),
    type: DataTypes.STRING(16),
    rateMinPpm: DataTypes.INTEGER,
    rateMaxPpm: DataTypes.INTEGER,
    termMinMonths: DataTypes.INTEGER,
    termMaxMonths: DataTypes.INTEGER,
    amountMinFen: DataTypes.BIGINT,
    amountMaxFen: DataTypes.BIGINT,
    repaymentMethods: jsonColumn('repaymentMethods', false),
    monthlyRatePpm: DataTypes.INTEGER,
    penaltyDailyRatePpm: DataTypes.INTEGER,
    eligibility: jsonColumn('eligibility'),
    requiredDocuments: jsonColumn('requiredDocuments', false),
    description: DataTypes.STRING(500),
    enabled: DataTypes.BOOLEAN,
    sortOrder: DataTypes.INTEGER,
    createdBy: DataTypes.INTEGER,
    updatedBy: DataTypes.INTEGER,
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  return { Product };
}
