// Admin endpoints of the bot: delivery log and dead-letter retry, console messages, team group
// robots (credentials write-only, shown masked) with a test send, and admin alerts.
import { z } from 'zod';
import { route, IdParams, type RouteDef } from '../../http/route';
import { AlertQuery, BotMessageQuery, CreateTeamRobot, UpdateTeamRobot } from '../../contracts/bot-admin.schemas';
import type { BotAdminService } from './bot-admin.service';
import type { TeamRobotService } from './team-robot.service';

const ConsoleQuery = BotMessageQuery.pick({ beforeId: true, limit: true });

/** `sendNow` runs the dispatcher for the given outbox rows at once (the robot test button). */
export function botRoutes(admin: BotAdminService, robots: TeamRobotService, sendNow: (ids: number[]) => Promise<void>): RouteDef[] {
  const tag = 'bot';
  const permission = 'bot.admin' as const;
  return [
    route({ method: 'get', path: '/admin/bot/messages', tag, permission, summary: '消息投递记录(含每次尝试)', query: BotMessageQuery, handler: ({ query }) => admin.listMessages(query) }),
    route({ method: 'get', path: '/admin/bot/messages/:id', tag, permission, summary: '一条消息及其尝试记录', params: IdParams, handler: ({ params }) => admin.message(params.id) }),
    route({ method: 'post', path: '/admin/bot/messages/:id/retry', tag, permission, summary: '重试发送失败(死信)的消息', params: IdParams, handler: ({ rc, params }) => admin.retry(rc, params.id) }),
    route({ method: 'get', path: '/admin/bot/console', tag, permission, summary: '控制台消息(未接入消息平台时)', query: ConsoleQuery, handler: ({ query }) => admin.consoleMessages(query) }),

    route({ method: 'get', path: '/admin/team-robots', tag, permission, summary: '群机器人列表(密钥已脱敏)', handler: () => robots.list() }),
    route({ method: 'get', path: '/admin/team-robots/teams', tag, permission, summary: '可配置群机器人的部门与平台', handler: () => robots.teams() }),
    route({ method: 'post', path: '/admin/team-robots', tag, permission, summary: '添加团队群机器人', body: CreateTeamRobot, status: 201, handler: ({ rc, body }) => robots.create(rc, body) }),
    route({ method: 'patch', path: '/admin/team-robots/:id', tag, permission, summary: '修改群机器人', params: IdParams, body: UpdateTeamRobot, handler: ({ rc, params, body }) => robots.update(rc, params.id, body) }),
    route({ method: 'delete', path: '/admin/team-robots/:id', tag, permission, summary: '删除群机器人', params: IdParams, handler: ({ rc, params }) => robots.remove(rc, params.id) }),
    route({
      method: 'post', path: '/admin/team-robots/:id/test', tag, permission, summary: '给群机器人发送一条测试消息', params: IdParams,
      handler: async ({ rc, params }) => {
        const id = await robots.enqueueTest(rc, params.id);
        await sendNow([id]);
        return admin.message(id);
      },
    }),

    route({ method: 'get', path: '/admin/alerts', tag, permission, summary: '管理员告警', query: AlertQuery, handler: ({ query }) => admin.listAlerts(query.resolved === 'true') }),
    route({ method: 'post', path: '/admin/alerts/:id/resolve', tag, permission, summary: '标记告警已处理', params: IdParams, body: z.object({}).optional(), handler: ({ rc, params }) => admin.resolveAlert(rc, params.id) }),
  ];
}
