// Which applications an actor may see (C27), as a where-clause every application query goes
// through: their own, those they have or had a task on or were copied on, and beyond that what
// the customer data scope gives their role — an officer their customers' applications, a team
// lead or branch manager their teams', risk and the director every submitted one, finance the
// approved ones, the admin all. Outside scope reads as "not found".
import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { Actor } from '../../http/context';
import type { OrgService } from '../org/org.service';
import type { Application } from './application.model';

const idIn = (subquery: string) => Sequelize.where(Sequelize.col('id'), Op.in, Sequelize.literal(`(${subquery})`));
const customerIn = (subquery: string) => Sequelize.where(Sequelize.col('customer_id'), Op.in, Sequelize.literal(`(${subquery})`));

export async function applicationScope(actor: Actor, org: OrgService): Promise<WhereOptions<Application>> {
  if (actor.role === 'admin') return {};
  const me = Number(actor.id);
  const or: unknown[] = [
    { applicantId: me },
    idIn(`SELECT application_id FROM approval_tasks WHERE assignee_id = ${me}`),
    idIn(`SELECT application_id FROM approval_cc WHERE user_id = ${me}`),
  ];
  switch (actor.role) {
    case 'officer':
      or.push(customerIn(`SELECT id FROM customers WHERE owner_id = ${me}`));
      break;
    case 'team_lead':
    case 'branch_manager': {
      const ids = (await org.subtreeIds(actor.departmentId)).map(Number);
      if (ids.length) {
        or.push({ departmentId: { [Op.in]: ids } });
        or.push(customerIn(`SELECT id FROM customers WHERE department_id IN (${ids.join(',')})`));
      }
      break;
    }
    case 'director':
    case 'risk':
      or.push({ status: { [Op.ne]: 'draft' } });
      break;
    case 'finance':
      or.push({ status: 'approved' });
      break;
  }
  return { [Op.or]: or } as WhereOptions<Application>;
}
