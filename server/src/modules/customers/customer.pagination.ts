// Keyset pagination for customer lists (infinite scroll stays fast however deep it goes).
// "recent": newest first by id. "nextFollowUp": dated customers by (date, id), then the undated
// ones by id: two index-friendly phases instead of one NULLS-LAST sort no index can serve.
import { Op, type WhereOptions } from 'sequelize';
import { ValidationError } from '../../http/errors';
import type { Table } from '../../db/define';
import type { Db } from '../../db/connection';
import { and, sql, type Sql } from '../../db/sql';
import type { Customer } from './customer.model';
import { isValidDate } from '../../contracts/dates';

export type Cursor = { s: 'r'; id: number } | { s: 'n'; phase: 1; d: string; id: number } | { s: 'n'; phase: 2; id: number };

const DATE_COLUMNS = ['assignedAt', 'pooledAt', 'lastFollowUpAt', 'stageChangedAt', 'createdAt', 'updatedAt'] as const;

function parseJson<T>(v: T | string | null): T | null {
  return typeof v === 'string' ? (JSON.parse(v) as T) : (v ?? null);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string | undefined, sort: 'recent' | 'nextFollowUp'): Cursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (isCursor(c, sort)) return c;
  } catch {
    /* fall through */
  }
  throw new ValidationError([{ field: 'cursor', message: '分页参数无效,请刷新列表' }]);
}

/** A cursor comes back from the client, so its every field goes into SQL only once checked. */
function isCursor(c: Cursor, sort: 'recent' | 'nextFollowUp'): boolean {
  if (!c || typeof c !== 'object' || !Number.isSafeInteger(c.id) || c.id < 0) return false;
  if (sort === 'recent') return c.s === 'r';
  return c.s === 'n' && (c.phase === 2 || (c.phase === 1 && typeof c.d === 'string' && isValidDate(c.d)));
}

/** One query of a keyset walk: where it starts, and (by kind) its order. */
type Step =
  | { kind: 'recent'; beforeId: number | null } // id DESC
  | { kind: 'dated'; after: { d: string; id: number } | null } // (next_follow_up_date, id) ASC, dated rows only
  | { kind: 'undated'; afterId: number }; // id ASC, undated rows only

type Page = { items: Customer[]; next: Cursor | null };

/** Walks a sort from a cursor, one or two queries through `find`. */
async function walk(find: (step: Step, n: number) => Promise<Customer[]>, sort: 'recent' | 'nextFollowUp', cursor: Cursor | null, limit: number): Promise<Page> {
  if (sort === 'recent') {
    const rows = await find({ kind: 'recent', beforeId: cursor?.s === 'r' ? cursor.id : null }, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? { s: 'r', id: Number(items[items.length - 1].id) } : null };
  }

  let items: Customer[] = [];
  if (!cursor || (cursor.s === 'n' && cursor.phase === 1)) {
    const rows = await find({ kind: 'dated', after: cursor?.s === 'n' && cursor.phase === 1 ? { d: cursor.d, id: cursor.id } : null }, limit + 1);
    if (rows.length > limit) {
      items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, next: { s: 'n', phase: 1, d: last.nextFollowUpDate!, id: Number(last.id) } };
    }
    items = rows;
  }
  const afterId = cursor?.s === 'n' && cursor.phase === 2 ? cursor.id : 0;
  const rest = await find({ kind: 'undated', afterId }, limit - items.length + 1);
  const room = limit - items.length;
  const taken = rest.slice(0, room);
  items = [...items, ...taken];
  const lastId = taken.length ? Number(taken[taken.length - 1].id) : afterId;
  return { items, next: rest.length > room ? { s: 'n', phase: 2, id: lastId } : null };
}

/**
 * Plain rows, not model instances: a page is only read and shown, and building 21 instances of a
 * 33-column model costs more CPU than the query. The two JSON text columns are parsed here.
 */
function plainRows(rows: Customer[]): Customer[] {
  for (const r of rows) {
    if ('campaignTags' in r) r.campaignTags = parseJson(r.campaignTags);
    if ('customFields' in r) r.customFields = parseJson(r.customFields);
    // SQLite hands raw DATETIMEs back as text ("2026-09-21 18:50:14.489 +00:00"); MySQL as Date.
    for (const k of DATE_COLUMNS) if (typeof r[k] === 'string') (r as unknown as Record<string, Date>)[k] = new Date(r[k] as unknown as string);
  }
  return rows;
}

/** A keyset page over Sequelize where-clauses (the pool list). */
export async function keysetPage(
  Customer: Table<Customer, any>,
  and: WhereOptions<Customer>[],
  sort: 'recent' | 'nextFollowUp',
  cursor: Cursor | null,
  limit: number,
  attributes?: (keyof Customer)[],
): Promise<Page> {
  const from = (step: Step): WhereOptions<Customer>[] => {
    switch (step.kind) {
      case 'recent':
        return step.beforeId === null ? [] : [{ id: { [Op.lt]: step.beforeId } }];
      case 'dated':
        return step.after
          ? [{ [Op.or]: [{ nextFollowUpDate: { [Op.gt]: step.after.d } }, { nextFollowUpDate: step.after.d, id: { [Op.gt]: step.after.id } }] } as WhereOptions<Customer>]
          : [{ nextFollowUpDate: { [Op.ne]: null } }];
      case 'undated':
        return [{ nextFollowUpDate: null }, { id: { [Op.gt]: step.afterId } }];
    }
  };
  const order: Record<Step['kind'], [string, string][]> = { recent: [['id', 'DESC']], dated: [['nextFollowUpDate', 'ASC'], ['id', 'ASC']], undated: [['id', 'ASC']] };
  const find = async (step: Step, n: number) =>
    plainRows((await Customer.findAll({ where: { [Op.and]: [...and, ...from(step)] } as WhereOptions<Customer>, order: order[step.kind], limit: n, attributes, raw: true })) as unknown as Customer[]);
  return walk(find, sort, cursor, limit);
}

/** `SELECT <columns> FROM customers`, each column under its attribute name (as findAll raw names them). */
export function selectColumns(Customer: Table<Customer, any>, attributes: (keyof Customer)[]): string {
  const fields = Customer.getAttributes();
  const cols = attributes.map((a) => {
    const field = fields[a].field ?? a;
    return field === a ? `\`${field}\`` : `\`${field}\` AS \`${a}\``;
  });
  return `SELECT ${cols.join(', ')} FROM \`customers\``;
}

const STEP_ORDER_SQL: Record<Step['kind'], string> = { recent: 'id DESC', dated: 'next_follow_up_date ASC, id ASC', undated: 'id ASC' };

function stepSql(step: Step): Sql[] {
  switch (step.kind) {
    case 'recent':
      return step.beforeId === null ? [] : [sql('id < ?', step.beforeId)];
    case 'dated':
      return step.after
        ? [sql('next_follow_up_date > ? OR (next_follow_up_date = ? AND id > ?)', step.after.d, step.after.d, step.after.id)]
        : [sql('next_follow_up_date IS NOT NULL')];
    case 'undated':
      return [sql('next_follow_up_date IS NULL'), sql('id > ?', step.afterId)];
  }
}

/**
 * The same walk over hand-written SQL (the customer list, the busiest read): `select` from
 * selectColumns, `where` the scope and filters. No where-object to translate, no instances.
 */
export async function keysetPageSql(db: Db, select: string, where: Sql[], sort: 'recent' | 'nextFollowUp', cursor: Cursor | null, limit: number): Promise<Page> {
  const find = async (step: Step, n: number) => {
    const cond = and([...where, ...stepSql(step)]);
    return plainRows(await db.select<Customer>(sql(`${select} WHERE ${cond.text} ORDER BY ${STEP_ORDER_SQL[step.kind]} LIMIT ?`, ...cond.params, n)));
  };
  return walk(find, sort, cursor, limit);
}
