// The per-person 待办 inbox (C9): stored tasks (manual ones a lead assigns, ladder ones the system
// creates), follow-ups due (customers.next_follow_up_date of one's own book) and approval tasks
// waiting, merged and grouped 逾期 / 今天 / 以后 in Shanghai time. Done and snooze apply to stored
// tasks; a follow-up is done by recording it, an approval by deciding it.
import { Op } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound } from '../../http/errors';
import { OPEN_STAGES } from '../../contracts/stages';
import { addDays, shanghaiDate } from '../../contracts/dates';
import type { CreateTaskInput, InboxGroup, InboxSource } from '../../contracts/tasks';
import type { CustomerService } from '../customers/customer.service';
import type { Task } from './task.model';
import type { Customer } from '../customers/customer.model';

const LIMIT = 200;
const FOLLOW_UP_HORIZON_DAYS = 7;

export interface InboxItem {
  key: string;
  source: InboxSource;
  id: number;
  title: string;
  note: string | null;
  customerId: number | null;
  customerName: string | null;
  /** ISO time, or a YYYY-MM-DD date for follow-ups planned by day. */
  due: string;
  group: InboxGroup;
  snoozedUntil: string | null;
  url: string | null;
}

export function groupOf(due: Date | string, now: Date): InboxGroup {
  const today = shanghaiDate(now);
  if (typeof due === 'string') return due < today ? 'overdue' : due === today ? 'today' : 'later';
  if (due.getTime() < now.getTime()) return 'overdue';
  return shanghaiDate(due) === today ? 'today' : 'later';
}

function taskView(t: Task, names: Map<number, string>, now: Date): InboxItem {
  const due = t.snoozedUntil && t.snoozedUntil > t.dueAt ? t.snoozedUntil : t.dueAt;
  return {
    key: `task:${t.id}`, source: 'task', id: Number(t.id), title: t.title, note: t.note,
    customerId: t.customerId === null ? null : Number(t.customerId), customerName: t.customerId === null ? null : (names.get(Number(t.customerId)) ?? null),
    due: due.toISOString(), group: groupOf(due, now), snoozedUntil: t.snoozedUntil?.toISOString() ?? null,
    url: t.customerId === null ? null : `/customers/${t.customerId}`,
  };
}

export function createTaskService(deps: Deps, customers: CustomerService) {
  const { db, org, audit, bot } = deps;
  const { Task, Customer, ApprovalTask } = db.models;

  async function customerNames(ids: number[]) {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map<number, string>();
    const rows = await Customer.findAll({ attributes: ['id', 'name'], where: { id: unique }, raw: true });
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }

  async function ownTask(rc: RequestContext, id: number) {
    const t = await Task.findByPk(id);
    // Someone else's task reads as not found: it is not in your inbox.
    if (!t || (t.userId !== rc.actor.id && t.createdBy !== rc.actor.id)) throw notFound('待办不存在');
    return t;
  }

  return {
    async inbox(rc: RequestContext) {
      const now = new Date(bot.now());
      const me = rc.actor.id;
      const open = await Task.findAll({ where: { userId: me, status: 'open' }, order: [['dueAt', 'ASC'], ['id', 'ASC']], limit: LIMIT });
      // A ladder task is settled by what it asked for: a follow-up recorded after it, or the
      // customer no longer being this person's (released to the pool, transferred).
      const ladderCustomers = [...new Set(open.filter((t) => t.kind === 'ladder' && t.customerId).map((t) => Number(t.customerId)))];
      const state = ladderCustomers.length
        ? new Map((await Customer.findAll({ attributes: ['id', 'ownerId', 'lastFollowUpAt'], where: { id: ladderCustomers }, raw: true })).map((c) => [Number(c.id), c]))
        : new Map<number, Pick<Customer, 'id' | 'ownerId' | 'lastFollowUpAt'>>();
      const tasks = open.filter((t) => {
        if (t.kind !== 'ladder' || !t.customerId) return true;
        const c = state.get(Number(t.customerId));
        return !!c && c.ownerId === me && !(c.lastFollowUpAt && new Date(c.lastFollowUpAt) > t.createdAt);
      });
      const horizon = addDays(shanghaiDate(now), FOLLOW_UP_HORIZON_DAYS);
      const due = await Customer.findAll({
        attributes: ['id', 'name', 'nextFollowUpDate', 'stage'],
        where: { ownerId: me, nextFollowUpDate: { [Op.lte]: horizon }, stage: OPEN_STAGES as string[] },
        order: [['nextFollowUpDate', 'ASC'], ['id', 'ASC']], limit: LIMIT, raw: true,
      });
      const approvals = await ApprovalTask.findAll({ where: { assigneeId: me, status: 'pending' }, order: [['id', 'ASC']], limit: LIMIT, raw: true });
      const names = await customerNames(tasks.map((t) => Number(t.customerId)).filter(Boolean));
      const apps = approvals.length ? await db.models.Application.findAll({ attributes: ['id', 'customerId'], where: { id: approvals.map((a) => a.applicationId) }, raw: true }) : [];
      const appCustomer = new Map(apps.map((a) => [Number(a.id), Number(a.customerId)]));
      const appNames = await customerNames([...appCustomer.values()]);

      const items: InboxItem[] = [
        ...tasks.map((t) => taskView(t, names, now)),
        ...due.map((c): InboxItem => ({
          key: `follow_up:${c.id}`, source: 'follow_up', id: Number(c.id), title: `跟进 ${c.name}`, note: null,
          customerId: Number(c.id), customerName: c.name, due: c.nextFollowUpDate!, group: groupOf(c.nextFollowUpDate!, now), snoozedUntil: null, url: `/customers/${c.id}`,
        })),
        ...approvals.map((a): InboxItem => {
          const customerId = appCustomer.get(Number(a.applicationId)) ?? null;
          const at = a.dueAt ?? a.createdAt;
          return {
            key: `approval:${a.id}`, source: 'approval', id: Number(a.id), title: `审批 进件 #${a.applicationId}(${a.nodeName})`, note: null,
            customerId, customerName: customerId ? (appNames.get(customerId) ?? null) : null,
            due: new Date(at).toISOString(), group: groupOf(new Date(at), now), snoozedUntil: null, url: `/approvals/${a.applicationId}`,
          };
        }),
      ];
      items.sort((x, y) => (x.due < y.due ? -1 : x.due > y.due ? 1 : x.key.localeCompare(y.key)));
      return {
        counts: { overdue: items.filter((i) => i.group === 'overdue').length, today: items.filter((i) => i.group === 'today').length, later: items.filter((i) => i.group === 'later').length },
        overdue: items.filter((i) => i.group === 'overdue'),
        today: items.filter((i) => i.group === 'today'),
        later: items.filter((i) => i.group === 'later'),
      };
    },

    /** A manual task for oneself, or (a lead) for someone in the team; its customer must be readable. */
    async create(rc: RequestContext, input: CreateTaskInput) {
      const userId = input.userId ?? rc.actor.id;
      if (userId !== rc.actor.id && !(await org.canAssignTo(rc.actor, userId))) throw new AppError(422, 'TASK_ASSIGNEE_OUT_OF_SCOPE');
      return db.transaction(async (t) => {
        if (input.customerId) await customers.findInScope(rc.actor, input.customerId, 'read', t);
        const task = await Task.create({ userId, kind: 'manual', title: input.title, note: input.note ?? null, customerId: input.customerId ?? null, dueAt: new Date(input.dueAt), createdBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'task', entityId: task.id, after: { userId, title: input.title, customerId: input.customerId ?? null, dueAt: input.dueAt } }, t);
        if (userId !== rc.actor.id) {
          await bot.notifyUsers(t, {
            userIds: [userId], kind: 'task_assigned', idemKey: `task:${task.id}:assigned`, ref: { type: 'task', id: task.id },
            payload: { title: '新待办', text: `${rc.actor.name} 给你布置了待办:${input.title}`, url: input.customerId ? `/customers/${input.customerId}` : '/' },
          });
        }
        return taskView(task, await customerNames(input.customerId ? [input.customerId] : []), new Date(bot.now()));
      });
    },

    /** Marks a task done; doing it again is a no-op. */
    async done(rc: RequestContext, id: number) {
      const t = await ownTask(rc, id);
      if (t.status !== 'done') await t.update({ status: 'done', doneAt: new Date(bot.now()) });
      return { id: Number(t.id), status: t.status, doneAt: t.doneAt?.toISOString() ?? null };
    },

    async snooze(rc: RequestContext, id: number, until: string) {
      const t = await ownTask(rc, id);
      if (t.status === 'done') throw new AppError(409, 'TASK_NOT_SNOOZABLE');
      const at = new Date(until);
      if (at.getTime() <= bot.now()) throw new AppError(422, 'VALIDATION_FAILED', '推迟到的时间必须晚于现在');
      await t.update({ snoozedUntil: at });
      return taskView(t, await customerNames(t.customerId ? [Number(t.customerId)] : []), new Date(bot.now()));
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
