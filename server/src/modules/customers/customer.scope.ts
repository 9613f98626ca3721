// Data scope (C27), applied in the query layer: every customer query goes through these
// where-clauses, so a handler cannot forget them. Outside scope reads as "not found".
import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { Actor } from '../../http/context';
import type { OrgService } from '../org/org.service';
import type { Customer } from './customer.model';
import type { Stage } from '../../contracts/stages';
import { can } from '../../contracts/roles';

export type ScopePurpose = 'read' | 'write';

const NOTHING: WhereOptions<Customer> = { id: { [Op.eq]: null } } as WhereOptions<Customer>;

/** Read-only roles see the customers their work needs: risk from approval on, finance from signing on. */
const READ_STAGES: Partial<Record<Actor['role'], Stage[]>> = {
  risk: ['under_approval', 'signed', 'disbursed', 'repaying', 'settled', 'bad_debt'],
  finance: ['signed', 'disbursed', 'repaying', 'settled', 'bad_debt'],
};

/** Customers an actor owns or manages (the "book"), for lists and changes. */
export async function bookScope(actor: Actor, org: OrgService, purpose: ScopePurpose): Promise<WhereOptions<Customer>> {
  switch (actor.role) {
    case 'admin':
      return {};
    case 'officer':
      return { ownerId: actor.id };
    case 'team_lead':
    case 'branch_manager': {
      // A customer carries its owner's department, so the team's book (the lead's own
      // customers included) is one indexable IN over the department subtree.
      return { departmentId: { [Op.in]: await org.subtreeIds(actor.departmentId) } };
    }
    case 'director':
      return purpose === 'read' ? { ownerId: { [Op.ne]: null } } : NOTHING;
    case 'risk':
    case 'finance':
      return purpose === 'read' ? { stage: { [Op.in]: READ_STAGES[actor.role]! }, ownerId: { [Op.ne]: null } } : NOTHING;
  }
}

/** Whether a customer already read is in the actor's book: bookScope's twin, without a query. */
export async function inBook(actor: Actor, org: OrgService, row: Pick<Customer, 'ownerId' | 'departmentId' | 'stage'>, purpose: ScopePurpose): Promise<boolean> {
  switch (actor.role) {
    case 'admin':
      return true;
    case 'officer':
      return row.ownerId === actor.id;
    case 'team_lead':
    case 'branch_manager':
      return row.departmentId !== null && (await org.subtreeIds(actor.departmentId)).includes(row.departmentId);
    case 'director':
      return purpose === 'read' && row.ownerId !== null;
    case 'risk':
    case 'finance':
      return purpose === 'read' && row.ownerId !== null && READ_STAGES[actor.role]!.includes(row.stage);
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
