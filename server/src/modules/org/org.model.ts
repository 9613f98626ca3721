// Departments (a tree: head office → branches → teams) and staff.
import { DataTypes, type Sequelize } from 'sequelize';
import { defineTable } from '../../db/define';
import type { DepartmentKind, Role } from '../../contracts/roles';

export interface Department {
  id: number;
  name: string;
  kind: DepartmentKind;
  parentId: number | null;
  path: string;
  leaderId: number | null;
  externalId: string | null;
  wecomDeptId: string | null;
  dingtalkDeptId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: number;
  name: string;
  role: Role;
  departmentId: number;
  supervisorId: number | null;
  status: UserStatus;
  title: string | null;
  wecomUserid: string | null;
  dingtalkUserid: string | null;
  mobileHash: string | null;
  syncedAt: Date | null;
  disabledAt: Date | null;
  /** Who disabled the account: 'org_sync' (left the messenger) or 'admin'; null = unknown/older. */
  disabledBy: 'org_sync' | 'admin' | null;
  /** On leave (auto-assignment skips them), optionally only from/until these Shanghai dates (inclusive). */
  onLeave: boolean;
  leaveFrom: string | null;
  leaveUntil: string | null;
  leaveNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function defineOrgModels(s: Sequelize) {
  const Department = defineTable<Department, 'id' | 'parentId' | 'leaderId' | 'externalId' | 'wecomDeptId' | 'dingtalkDeptId' | 'createdAt' | 'updatedAt'>(s, 'Department', 'departments', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.STRING(64),
    kind: DataTypes.STRING(16),
    parentId: DataTypes.INTEGER,
    path: DataTypes.STRING(255),
    leaderId: DataTypes.INTEGER,
    externalId: DataTypes.STRING(64),
    wecomDeptId: DataTypes.STRING(32),
    dingtalkDeptId: DataTypes.STRING(32),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  const User = defineTable<User, 'id' | 'supervisorId' | 'status' | 'title' | 'wecomUserid' | 'dingtalkUserid' | 'mobileHash' | 'syncedAt' | 'disabledAt' | 'disabledBy' | 'onLeave' | 'leaveFrom' | 'leaveUntil' | 'leaveNote' | 'createdAt' | 'updatedAt'>(s, 'User', 'users', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: DataTypes.STRING(50),
    role: DataTypes.STRING(20),
    departmentId: DataTypes.INTEGER,
    supervisorId: DataTypes.INTEGER,
    status: { type: DataTypes.STRING(16), defaultValue: 'active' },
    title: DataTypes.STRING(50),
    wecomUserid: DataTypes.STRING(64),
    dingtalkUserid: DataTypes.STRING(64),
    mobileHash: DataTypes.STRING(64),
    syncedAt: DataTypes.DATE(3),
    disabledAt: DataTypes.DATE(3),
    disabledBy: DataTypes.STRING(16),
    onLeave: { type: DataTypes.BOOLEAN, defaultValue: false },
    leaveFrom: DataTypes.DATEONLY,
    leaveUntil: DataTypes.DATEONLY,
    leaveNote: DataTypes.STRING(50),
    createdAt: DataTypes.DATE(3),
    updatedAt: DataTypes.DATE(3),
  });
  return { Department, User };
}
