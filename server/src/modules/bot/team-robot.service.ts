// Team group robots: per department, a WeCom webhook key or a DingTalk robot access token with
// its 加签 secret. Credentials are stored AES-GCM encrypted (deps.crypto, like channel secrets)
// and only ever shown masked; the dispatcher decrypts them when it sends.
import { UniqueConstraintError } from 'sequelize';
import type { Deps } from '../../deps';
import { AppError, conflict, notFound, ValidationError } from '../../http/errors';
import type { RequestContext } from '../../http/context';
import {
  checkRobotUpdate, parseDingtalkRobotToken, parseWecomWebhookKey, ROBOT_PROVIDERS,
  type CreateTeamRobot, type RobotProvider, type UpdateTeamRobot,
} from '../../contracts/bot-admin.schemas';
import type { TeamRobot } from './bot.model';

export const maskSecret = (plain: string) => (plain.length <= 8 ? '****' : `${plain.slice(0, 3)}****${plain.slice(-4)}`);

export function createTeamRobotService(deps: Deps) {
  const { models } = deps.db;

  const normalizeToken = (provider: RobotProvider, token: string) =>
    (provider === 'wecom' ? parseWecomWebhookKey(token) : parseDingtalkRobotToken(token)) as string; // schema already checked

  function view(r: TeamRobot, deptName: string | null) {
    return {
      id: r.id,
      departmentId: r.departmentId,
      departmentName: deptName,
      provider: r.provider,
      providerName: ROBOT_PROVIDERS[r.provider],
      name: r.name,
      enabled: !!r.enabled,
      token: maskSecret(deps.crypto.decrypt(r.tokenEnc)),
      secret: r.secretEnc ? maskSecret(deps.crypto.decrypt(r.secretEnc)) : null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  const audited = (r: TeamRobot) => ({ departmentId: r.departmentId, provider: r.provider, name: r.name, enabled: !!r.enabled });

  function requireConfigured(provider: RobotProvider) {
    if (!(provider === 'wecom' ? deps.config.wecom : deps.config.dingtalk)) {
      throw new AppError(422, 'MESSENGER_NOT_CONFIGURED', provider === 'wecom' ? '未接入企业微信,不能添加企业微信群机器人' : '未接入钉钉,不能添加钉钉群机器人');
    }
  }

  async function find(id: number) {
    const r = await models.TeamRobot.findByPk(id);
    if (!r) throw notFound('群机器人不存在');
    return r;
  }

  return {
    /** Departments a robot can belong to (teams first), and the messengers robots can be added for. */
    async teams() {
      const depts = [...(await deps.org.departments()).values()].sort((a, b) => (a.kind === 'team' ? 0 : 1) - (b.kind === 'team' ? 0 : 1) || a.path.localeCompare(b.path));
      const providers = (['wecom', 'dingtalk'] as const).filter((p) => (p === 'wecom' ? deps.config.wecom : deps.config.dingtalk) !== null);
      return { providers, departments: depts.map((d) => ({ id: d.id, name: d.name, kind: d.kind })) };
    },

    async list() {
      const [rows, depts] = await Promise.all([models.TeamRobot.findAll({ order: [['departmentId', 'ASC'], ['provider', 'ASC']], raw: true }), deps.org.departments()]);
      return rows.map((r) => view(r as TeamRobot, depts.get(r.departmentId)?.name ?? null));
    },

    async get(id: number) {
      const r = await find(id);
      return view(r, await deps.org.departmentName(r.departmentId));
    },

    async create(rc: RequestContext, input: CreateTeamRobot) {
      if (!(await deps.org.departments()).has(input.departmentId)) throw new ValidationError([{ field: 'departmentId', message: '部门不存在' }]);
      requireConfigured(input.provider);
      const exists = await models.TeamRobot.findOne({ where: { departmentId: input.departmentId, provider: input.provider } });
      if (exists) throw conflict('TEAM_ROBOT_EXISTS', undefined, { id: exists.id });
      try {
        const r = await deps.db.transaction(async (t) => {
          const row = await models.TeamRobot.create(
            {
              departmentId: input.departmentId,
              provider: input.provider,
              name: input.name,
              tokenEnc: deps.crypto.encrypt(normalizeToken(input.provider, input.token)),
              secretEnc: input.provider === 'dingtalk' && input.secret ? deps.crypto.encrypt(input.secret) : null,
              enabled: true,
            },
            { transaction: t },
          );
          await deps.audit.record(rc, { action: 'team_robot.create', entityType: 'team_robot', entityId: row.id, after: audited(row) }, t);
          return row;
        });
        return view(r, await deps.org.departmentName(r.departmentId));
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw conflict('TEAM_ROBOT_EXISTS');
        throw err;
      }
    },

    async update(rc: RequestContext, id: number, input: UpdateTeamRobot) {
      const r = await find(id);
      const checked = checkRobotUpdate(r.provider, input);
      if (!checked.success) throw new ValidationError(checked.error.issues.map((i) => ({ field: i.path.join('.') || '_', message: i.message })));
      const before = audited(r);
      await deps.db.transaction(async (t) => {
        if (input.name !== undefined) r.name = input.name;
        if (input.enabled !== undefined) r.enabled = input.enabled;
        if (input.token !== undefined) r.tokenEnc = deps.crypto.encrypt(normalizeToken(r.provider, input.token));
        if (input.secret !== undefined && r.provider === 'dingtalk') r.secretEnc = deps.crypto.encrypt(input.secret);
        await r.save({ transaction: t });
        await deps.audit.record(
          rc,
          { action: 'team_robot.update', entityType: 'team_robot', entityId: id, before, after: { ...audited(r), tokenChanged: input.token !== undefined, secretChanged: input.secret !== undefined } },
          t,
        );
      });
      return view(r, await deps.org.departmentName(r.departmentId));
    },

    /** Removes the robot; its messages still waiting are cancelled (nothing left to send them to). */
    async remove(rc: RequestContext, id: number) {
      const r = await find(id);
      await deps.db.transaction(async (t) => {
        await models.BotMessage.update({ status: 'cancelled', lastErrorCode: 'ROBOT_REMOVED', lastError: '群机器人已删除' }, { where: { recipient: `robot:${id}`, status: 'pending' }, transaction: t });
        await r.destroy({ transaction: t });
        await deps.audit.record(rc, { action: 'team_robot.delete', entityType: 'team_robot', entityId: id, before: audited(r) }, t);
      });
    },

    /** Queues a test message to the robot (also when it is switched off) and returns its id. */
    async enqueueTest(rc: RequestContext, id: number): Promise<number> {
      const r = await find(id);
      requireConfigured(r.provider);
      const idemKey = `robot-test:${id}:${Date.now()}:${Math.random().toString(36).slice(2, 10)}`;
      await deps.db.transaction(async (t) => {
        await deps.bot.enqueue(t, {
          idemKey,
          channel: r.provider === 'wecom' ? 'wecom_robot' : 'dingtalk_robot',
          kind: 'robot_test',
          recipient: `robot:${id}`,
          departmentId: r.departmentId,
          payload: { title: '信贷CRM 测试消息', text: `这是一条测试消息,由 ${rc.actor.name} 在群机器人设置中发送。收到即表示「${r.name}」配置正确。` },
        });
        await deps.audit.record(rc, { action: 'team_robot.test', entityType: 'team_robot', entityId: id }, t);
      });
      const row = await models.BotMessage.findOne({ where: { idemKey }, attributes: ['id'], raw: true });
      return Number(row!.id);
    },

    /** The robot with its decrypted credentials, for sending. */
    async credentials(id: number): Promise<{ robot: TeamRobot; token: string; secret: string | null } | null> {
      const r = await models.TeamRobot.findByPk(id, { raw: true });
      if (!r) return null;
      return { robot: r as TeamRobot, token: deps.crypto.decrypt(r.tokenEnc), secret: r.secretEnc ? deps.crypto.decrypt(r.secretEnc) : null };
    },
  };
}
export type TeamRobotService = ReturnType<typeof createTeamRobotService>;
