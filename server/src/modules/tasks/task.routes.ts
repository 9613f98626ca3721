// The 待办 inbox endpoints: the grouped inbox, create (self or a team member), done, snooze.
import { route, IdParams, type RouteDef } from '../../http/route';
import { CreateTask, SnoozeTask } from '../../contracts/tasks';
import type { TaskService } from './task.service';

export function taskRoutes(tasks: TaskService): RouteDef[] {
  return [
    route({ method: 'get', path: '/tasks', tag: 'tasks', summary: '我的待办(逾期 / 今天 / 以后)', handler: ({ rc }) => tasks.inbox(rc) }),
    route({ method: 'post', path: '/tasks', tag: 'tasks', summary: '新建待办(给自己,或主管给本团队成员)', status: 201, body: CreateTask, handler: ({ rc, body }) => tasks.create(rc, body) }),
    route({ method: 'post', path: '/tasks/:id/done', tag: 'tasks', summary: '完成待办', params: IdParams, handler: ({ rc, params }) => tasks.done(rc, params.id) }),
    route({ method: 'post', path: '/tasks/:id/snooze', tag: 'tasks', summary: '推迟待办', params: IdParams, body: SnoozeTask, handler: ({ rc, params, body }) => tasks.snooze(rc, params.id, body.until) }),
  ];
}
