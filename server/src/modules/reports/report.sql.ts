// Small SQL helpers the report module shares: additive upserts that work on MySQL and SQLite,
// Shanghai business-day bounds as UTC timestamps, and row-value normalisation across drivers.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../db/connection';
import { addDays, shanghaiDate } from '../../contracts/dates';

/** Reads with replacements inside an optional transaction (dates come back as Date on MySQL, text on SQLite). */
export async function query<T>(db: Db, text: string, params: unknown[] = [], t?: Transaction | null): Promise<T[]> {
  return (await db.sequelize.query(text, { replacements: params, type: QueryTypes.SELECT, transaction: t ?? undefined })) as T[];
}

export async function exec(db: Db, text: string, params: unknown[] = [], t?: Transaction | null): Promise<void> {
  await db.sequelize.query(text, { replacements: params, transaction: t ?? undefined });
}

/** A timestamp as stored by Sequelize, comparable as text on SQLite and as DATETIME on MySQL (UTC). */
export function stamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** The UTC instants [start, end) of Shanghai business days from..to (inclusive). */
export function dayBounds(from: string, to: string): [string, string] {
  return [stamp(new Date(`${from}T00:00:00+08:00`)), stamp(new Date(`${addDays(to, 1)}T00:00:00+08:00`))];
}

/** A DATETIME value read back (Date on MySQL, 'YYYY-MM-DD HH:MM:SS.sss +00:00' on SQLite) as a Date. */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  return m ? new Date(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`) : new Date(s);
}

/** The Shanghai business day of a DATETIME value. */
export function dayOf(v: unknown): string | null {
  const d = asDate(v);
  return d ? shanghaiDate(d) : null;
}

/** A DATEONLY value (Date or text) as YYYY-MM-DD. */
export function dateOnly(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * INSERT … or add to the existing row: `measures` are added (x = x + ?), never overwritten, so two
 * transactions touching one cell both count (no read-modify-write race).
 */
export function additiveUpsert(db: Db, table: string, keyCols: string[], measureCols: string[]) {
  const cols = [...keyCols, ...measureCols];
  const placeholders = `(${cols.map(() => '?').join(', ')})`;
  const tail =
    db.dialect === 'mysql'
      ? ` ON DUPLICATE KEY UPDATE ${measureCols.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`
      : ` ON CONFLICT (${keyCols.join(', ')}) DO UPDATE SET ${measureCols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
  void placeholders;
  // Values are escaped by the dialect's own escaper and inlined: Sequelize's replacement parser is
  // the slow part of a many-row statement (a rebuild writes hundreds of thousands of cells).
  const esc = (v: unknown) => db.sequelize.escape(v as string | number);
  return async (rows: unknown[][], t?: Transaction | null) => {
    const per = 1000;
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      await exec(db, `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${chunk.map((r) => `(${r.map(esc).join(', ')})`).join(', ')}${tail}`, [], t);
    }
  };
}
