import { DataTypes, type ModelAttributeColumnOptions } from 'sequelize';

/**
 * A JSON value kept in a TEXT column. MariaDB's JSON type comes back as a string through
 * mysql2 and SQLite has none, so one explicit encoding serves both.
 */
export function jsonColumn(name: string, allowNull = true): ModelAttributeColumnOptions {
  return {
    type: DataTypes.TEXT,
    allowNull,
    get(this: { getDataValue(k: string): unknown }) {
      const raw = this.getDataValue(name);
      return typeof raw === 'string' ? JSON.parse(raw) : (raw ?? null);
    },
    set(this: { setDataValue(k: string, v: unknown): void }, value: unknown) {
      this.setDataValue(name, value === undefined || value === null ? null : JSON.stringify(value));
    },
  };
}
