// Lead channels (渠道). Partner channels carry an API key and an encrypted signing secret.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';

export interface Channel {
  id: number;
  code: string;
  name: string;
  apiKey: string | null;
  secretEnc: string | null;
  defaultOwnerId: number | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function defineChannelModel(s: Sequelize) {
  return defineTable<Channel, 'id' | 'apiKey' | 'secretEnc' | 'defaultOwnerId' | 'enabled' | 'createdAt' | 'updatedAt'>(s, 'Channel', 'channels', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    code: DataTypes.STRING(32),
    name: DataTypes.STRING(64),
    apiKey: DataTypes.STRING(64),
    secretEnc: DataTypes.TEXT,
    defaultOwnerId: DataTypes.INTEGER,
    enabled: { type: DataTypes.BOOLEAN, defaultValue: true },
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
}
