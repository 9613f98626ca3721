// The 审批 tab's inboxes: 待我审批 (my pending tasks, with a count for the badge), 我已审批 (my
// decisions), 我发起的 (my applications) and 抄送我的 (copies). Newest first, keyset by row id.
import { Op } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { TASK_STATUSES, type ListApprovalsQuery } from '../../contracts/applications';
import type { Application } from '../applications/application.model';
import { toApplicationItem } from '../applications/application.view';

export function createApprovalInbox(deps: Pick<Deps, 'db' | 'org'>) {
  const { db, org } = deps;
  const { Application: Apps, ApprovalTask, ApprovalCc, Customer } = db.models;

  /** Application list items for these ids, with applicant and customer names. */
  async function items(ids: number[]) {
    const apps = ids.length ? await Apps.findAll({ where: { id: [...new Set(ids)] } }) : [];
    const users = await org.usersByIds(apps.map((a) => a.applicantId));
    const customers = new Map((await Customer.findAll({ where: { id: apps.map((a) => a.customerId) }, attributes: ['id', 'name'], raw: true })).map((c) => [Number(c.id), c.name]));
    const byId = new Map<number, ReturnType<typeof toApplicationItem>>();
    for (const a of apps as Application[]) byId.set(Number(a.id), toApplicationItem(a, (id) => (id ? (users.get(id)?.name ?? null) : null), customers.get(Number(a.customerId)) ?? null));
    return byId;
  }

  async function tasksBox(rc: RequestContext, q: ListApprovalsQuery, pending: boolean) {
    const rows = await ApprovalTask.findAll({
      where: {
        assigneeId: rc.actor.id,
        status: pending ? 'pending' : { [Op.in]: ['approved', 'rejected', 'returned', 'delegated'] },
        ...(q.cursor ? { id: { [Op.lt]: q.cursor } } : {}),
      },
      order: [['id', 'DESC']],
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const apps = await items(page.map((t) => Number(t.applicationId)));
    const now = Date.now();
    return {
      items: page
        .filter((t) => apps.has(Number(t.applicationId)))
        .map((t) => ({
          ...apps.get(Number(t.applicationId))!,
          taskId: Number(t.id),
          nodeName: t.branchName ? `${t.nodeName} · ${t.branchName}` : t.nodeName,
          taskStatus: t.status,
          taskStatusName: TASK_STATUSES[t.status],
          taskComment: t.comment,
          taskCreatedAt: t.createdAt,
          taskDecidedAt: t.decidedAt,
          overdue: t.status === 'pending' && t.dueAt !== null && new Date(t.dueAt).getTime() < now,
        })),
      nextCursor: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
    };
  }

  return {
    async list(rc: RequestContext, q: ListApprovalsQuery) {
      if (q.box === 'todo') return tasksBox(rc, q, true);
      if (q.box === 'done') return tasksBox(rc, q, false);
      if (q.box === 'mine') {
        const rows = await Apps.findAll({ where: { applicantId: rc.actor.id, ...(q.cursor ? { id: { [Op.lt]: q.cursor } } : {}) }, attributes: ['id'], order: [['id', 'DESC']], limit: q.limit + 1, raw: true });
        const page = rows.slice(0, q.limit).map((r) => Number(r.id));
        const apps = await items(page);
        return { items: page.map((id) => apps.get(id)!).filter(Boolean), nextCursor: rows.length > q.limit ? page[page.length - 1] : null };
      }
      const rows = await ApprovalCc.findAll({ where: { userId: rc.actor.id, ...(q.cursor ? { id: { [Op.lt]: q.cursor } } : {}) }, order: [['id', 'DESC']], limit: q.limit + 1, raw: true });
      const page = rows.slice(0, q.limit);
      const apps = await items(page.map((c) => Number(c.applicationId)));
      return {
        items: page.filter((c) => apps.has(Number(c.applicationId))).map((c) => ({ ...apps.get(Number(c.applicationId))!, ccId: Number(c.id), ccAt: c.createdAt })),
        nextCursor: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
      };
    },

    /** Badge numbers for the 审批 tab. */
    async counts(rc: RequestContext) {
      const [todo, minePending, cc] = await Promise.all([
        ApprovalTask.count({ where: { assigneeId: rc.actor.id, status: 'pending' } }),
        Apps.count({ where: { applicantId: rc.actor.id, status: 'pending' } }),
        ApprovalCc.count({ where: { userId: rc.actor.id } }),
      ]);
      return { todo, minePending, cc };
    },
  };
}
export type ApprovalInbox = ReturnType<typeof createApprovalInbox>;
