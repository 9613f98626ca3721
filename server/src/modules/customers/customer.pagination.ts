// Keyset pagination for customer lists (infinite scroll stays fast however deep it goes).
// "recent": newest first by id. "nextFollowUp": dated customers by (date, id), then the undated
// ones by id: two index-friendly phases instead of one NULLS-LAST sort no index can serve.
import { Op, type WhereOptions } from 'sequelize';
import { ValidationError } from '../../http/errors';
import type { Table } from '../../db/define';
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

export async function keysetPage(
  Customer: Table<Customer, any>,
  and: WhereOptions<Customer>[],
  sort: 'recent' | 'nextFollowUp',
  cursor: Cursor | null,
  limit: number,
  attributes?: (keyof Customer)[],
): Promise<{ items: Customer[]; next: Cursor | null }> {
  // Plain rows, not model instances: a page is only read and shown, and building 21 instances of a
  // 33-column model costs more CPU than the query. The two JSON text columns are parsed here.
  const find = async (extra: WhereOptions<Customer>[], order: [string, string][], n: number) => {
    const rows = (await Customer.findAll({ where: { [Op.and]: [...and, ...extra] } as WhereOptions<Customer>, order, limit: n, attributes, raw: true })) as unknown as Customer[];
    for (const r of rows) {
      r.campaignTags = parseJson(r.campaignTags);
      r.customFields = parseJson(r.customFields);
      // SQLite hands raw DATETIMEs back as text ("2026-09-21 18:50:14.489 +00:00"); MySQL as Date.
      for (const k of DATE_COLUMNS) if (typeof r[k] === 'string') (r as unknown as Record<string, Date>)[k] = new Date(r[k] as unknown as string);
    }
    return rows;
  };

  if (sort === 'recent') {
    const rows = await find(cursor?.s === 'r' ? [{ id: { [Op.lt]: cursor.id } }] : [], [['id', 'DESC']], limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? { s: 'r', id: Number(items[items.length - 1].id) } : null };
  }

  let items: Customer[] = [];
  if (!cursor || (cursor.s === 'n' && cursor.phase === 1)) {
    const after: WhereOptions<Customer>[] = cursor?.s === 'n' && cursor.phase === 1
      ? [{ [Op.or]: [{ nextFollowUpDate: { [Op.gt]: cursor.d } }, { nextFollowUpDate: cursor.d, id: { [Op.gt]: cursor.id } }] } as WhereOptions<Customer>]
      : [{ nextFollowUpDate: { [Op.ne]: null } }];
    const rows = await find(after, [['nextFollowUpDate', 'ASC'], ['id', 'ASC']], limit + 1);
    if (rows.length > limit) {
      items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, next: { s: 'n', phase: 1, d: last.nextFollowUpDate!, id: Number(last.id) } };
    }
    items = rows;
  }
  const afterId = cursor?.s === 'n' && cursor.phase === 2 ? cursor.id : 0;
  const rest = await find([{ nextFollowUpDate: null }, { id: { [Op.gt]: afterId } }], [['id', 'ASC']], limit - items.length + 1);
  const room = limit - items.length;
  const taken = rest.slice(0, room);
  items = [...items, ...taken];
  const lastId = taken.length ? Number(taken[taken.length - 1].id) : afterId;
  return { items, next: rest.length > room ? { s: 'n', phase: 2, id: lastId } : null };
}
