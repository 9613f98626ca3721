// States of the WeCom sign-in redirect that have been used (single use; see oauth-state.ts).
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';

export interface SsoState {
  nonce: string;
  flow: string;
  expiresAt: Date;
  usedAt: Date;
}

export function defineSsoStateModel(s: Sequelize) {
  return defineTable<SsoState>(
    s, 'SsoState', 'sso_states',
    {
      nonce: { type: DataTypes.STRING(64), primaryKey: true },
      flow: DataTypes.STRING(16),
      expiresAt: DataTypes.DATE(3),
      usedAt: DataTypes.DATE(3),
    },
    { timestamps: false },
  );
}
