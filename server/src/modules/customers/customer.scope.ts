// Data scope (C27), applied in the query layer: every customer query goes through these
// where-clauses, so a handler cannot forget them. Outside scope reads as "not found".
import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { Actor } from '../../http/context';
import type { OrgService } from '../org/org.service';
import type { Customer } from './customer.model';
import type { Stage } from '../../contracts/stages';
import { can } from '../../contracts/roles';
import { sql, type Sql } from '../../db/sql';

export type ScopePurpose = 'read' | 'write';

const NOTHING: WhereOptions<Customer> = { id: { [Op.eq]: null } } as WhereOptions<Customer>;

/** Read-only roles see the customers their work needs: risk from approval on, finance from signing on. */
const READ_STAGES: Partial<Record<Actor['role'], Stage[]>> = {
  risk: ['under_approval', 'signed', 'disbursed', 'repaying', 'settled', 'bad_debt'],
  finance: ['signed', 'disbursed', 'repaying', 'settled', 'bad_debt'],
};

/**
 * The book: the customers an actor owns or manages, for lists and changes. Decided once here and
 * rendered three ways below (a Sequelize where, hand-written SQL, a check on a row already read).
 */
type Book =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'owner'; ownerId: number }
  // A customer carries its owner's department, so a team's book (the lead's own customers
  // included) is one indexable IN over the department subtree.
  | { kind: 'departments'; ids: readonly number[] }
  | { kind: 'owned'; stages?: Stage[] };

async function book(actor: Actor, org: OrgService, purpose: ScopePurpose): Promise<Book> {
  switch (actor.role) {
    case 'admin':
      return { kind: 'all' };
    case 'officer':
      return { kind: 'owner', ownerId: actor.id };
    case 'team_lead':
    case 'branch_manager':
      return { kind: 'departments', ids: await org.subtreeIds(actor.departmentId) };
    case 'director':
      return purpose === 'read' ? { kind: 'owned' } : { kind: 'none' };
    case 'risk':
    case 'finance':
      return purpose === 'read' ? { kind: 'owned', stages: READ_STAGES[actor.role]! } : { kind: 'none' };
  }
}

/** The book as a Sequelize where-clause. */
export async function bookScope(actor: Actor, org: OrgService, purpose: ScopePurpose): Promise<WhereOptions<Customer>> {
  const b = await book(actor, org, purpose);
  switch (b.kind) {
    case 'all':
      return {};
    case 'none':
      return NOTHING;
    case 'owner':
      return { ownerId: b.ownerId };
    case 'departments':
      return { departmentId: { [Op.in]: b.ids } };
    case 'owned':
      return b.stages ? { stage: { [Op.in]: b.stages }, ownerId: { [Op.ne]: null } } : { ownerId: { [Op.ne]: null } };
  }
}

/** The book as SQL over `customers`, for the hand-written list query. */
export async function bookScopeSql(actor: Actor, org: OrgService, purpose: ScopePurpose): Promise<Sql> {
  const b = await book(actor, org, purpose);
  switch (b.kind) {
    case 'all':
      return sql('1 = 1');
    case 'none':
      return sql('1 = 0');
    case 'owner':
      return sql('owner_id = ?', b.ownerId);
    case 'departments':
      return b.ids.length ? sql('department_id IN (?)', b.ids) : sql('1 = 0');
    case 'owned':
      return b.stages ? sql('stage IN (?) AND owner_id IS NOT NULL', b.stages) : sql('owner_id IS NOT NULL');
  }
}

/** Whether a customer already read is in the actor's book, without a query. */
export async function inBook(actor: Actor, org: OrgService, row: Pick<Customer, 'ownerId' | 'departmentId' | 'stage'>, purpose: ScopePurpose): Promise<boolean> {
  const b = await book(actor, org, purpose);
  switch (b.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'owner':
      return row.ownerId === b.ownerId;
    case 'departments':
      return row.departmentId !== null && b.ids.includes(row.departmentId);
    case 'owned':
      return row.ownerId !== null && (!b.stages || b.stages.includes(row.stage));
  }
}

/** The public pool (公海): unowned customers, visible to roles that may look at it. */
export function poolScope(actor: Actor): WhereOptions<Customer> {
  return can(actor.role, 'pool.view') ? { ownerId: null } : NOTHING;
}

/** A single customer may be read when it is in the book or in the pool. */
export async function readScope(actor: Actor, org: OrgService): Promise<WhereOptions<Customer>> {
  const book = await bookScope(actor, org, 'read');
  // An unrestricted book (admin) already holds the pool; wrapping `{}` in an OR would make
  // Sequelize drop it and leave only "in the pool".
  if (Reflect.ownKeys(book).length === 0 || !can(actor.role, 'pool.view')) return book;
  return { [Op.or]: [book, { ownerId: null }] } as WhereOptions<Customer>;
}

/**
 * Name contains q, literally: INSTR exists on MySQL and SQLite alike and, unlike LIKE, treats
 * % and _ as ordinary characters (SQLite's LIKE has no default escape character).
 */
export function nameContains(q: string): WhereOptions<Customer> {
  return Sequelize.where(Sequelize.fn('INSTR', Sequelize.col('name'), q), Op.gt, 0) as unknown as WhereOptions<Customer>;
}

/** nameContains as SQL over `customers`. */
export function nameContainsSql(q: string): Sql {
  return sql('INSTR(name, ?) > 0', q);
}
