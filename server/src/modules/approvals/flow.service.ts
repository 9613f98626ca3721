// Approval flows for admins (C11, C32): list, read, create, and edit — an edit whose definition
// changed writes a new version, so applications already under way keep the one they started with.
// Exactly one enabled flow is the default that new applications use.
import { Op, type Transaction } from 'sequelize';
import type { Deps } from '../../deps';
import type { RequestContext } from '../../http/context';
import { AppError, notFound, ValidationError } from '../../http/errors';
import { describeRule, type AnyNode, type ApproverRule, type FlowDefinition, type SaveFlowInput } from '../../contracts/approval-flow';
import type { ApprovalFlowVersion } from './flow.model';

function rulesOf(def: FlowDefinition): ApproverRule[] {
  const out: ApproverRule[] = [];
  const visit = (n: AnyNode) => {
    if (n.kind === 'approval') out.push(n.approvers);
    if (n.kind === 'notify') out.push(n.recipients);
    if (n.kind === 'parallel') n.branches.forEach(visit);
    if (n.kind === 'condition') [...n.then, ...n.else].forEach(visit);
  };
  def.nodes.forEach(visit);
  return out;
}

export function createFlowService(deps: Pick<Deps, 'db' | 'org' | 'audit'>) {
  const { db, org, audit } = deps;
  const { ApprovalFlow, ApprovalFlowVersion, Application, User } = db.models;
  // Versions never change once written, so they are cached for good.
  const versions = new Map<number, ApprovalFlowVersion>();

  /** Named approvers must be real, active staff: say which ones are not. */
  async function checkUsers(def: FlowDefinition) {
    const ids = [...new Set(rulesOf(def).flatMap((r) => (r.type === 'users' ? r.userIds : [])))];
    if (!ids.length) return;
    const found = await User.findAll({ where: { id: ids, status: 'active' }, attributes: ['id'], raw: true });
    const missing = ids.filter((id) => !found.some((u) => u.id === id));
    if (missing.length) throw new ValidationError([{ field: 'definition', message: `指定的审批人不存在或已停用(编号 ${missing.join('、')})` }]);
  }

  async function keepOneDefault(t: Transaction, flowId: number, input: Pick<SaveFlowInput, 'isDefault' | 'enabled'>) {
    if (input.isDefault) {
      if (!input.enabled) throw new ValidationError([{ field: 'enabled', message: '默认流程不能停用' }]);
      await ApprovalFlow.update({ isDefault: false }, { where: { id: { [Op.ne]: flowId } }, transaction: t });
    } else {
      const others = await ApprovalFlow.count({ where: { id: { [Op.ne]: flowId }, isDefault: true, enabled: true }, transaction: t });
      if (!others) throw new ValidationError([{ field: 'isDefault', message: '至少需要一个启用的默认流程:请先把另一个流程设为默认' }]);
    }
  }

  async function describe(def: FlowDefinition) {
    const users = await org.usersByIds(rulesOf(def).flatMap((r) => (r.type === 'users' ? r.userIds : [])));
    const name = (id: number) => users.get(id)?.name ?? `#${id}`;
    const line = (n: AnyNode): string => {
      if (n.kind === 'approval') return `${n.name}(${describeRule(n.approvers, name)})`;
      if (n.kind === 'notify') return `${n.name}(${describeRule(n.recipients, name)})`;
      if (n.kind === 'parallel') return `${n.name}[${n.branches.map(line).join(' + ')}]`;
      if (n.kind === 'condition') return `${n.name}?[${n.then.map(line).join(' → ') || '无'}]`;
      return n.name;
    };
    return def.nodes.map(line).join(' → ');
  }

  async function pendingByVersion(flowId: number): Promise<Map<number, number>> {
    const rows = (await Application.count({ where: { flowId, status: 'pending' }, group: ['flowVersionId'] })) as unknown as { flowVersionId: number; count: number }[];
    return new Map(rows.map((r) => [Number(r.flowVersionId), Number(r.count)]));
  }

  async function currentVersion(flowId: number, version: number, t?: Transaction) {
    const v = await ApprovalFlowVersion.findOne({ where: { flowId, version }, transaction: t });
    if (!v) throw new Error(`flow ${flowId} has no version ${version}`);
    return v;
  }

  const service = {
    /** A version by id (cached: versions are immutable). */
    async version(id: number, t?: Transaction): Promise<ApprovalFlowVersion> {
      const hit = versions.get(id);
      if (hit) return hit;
      const v = await ApprovalFlowVersion.findByPk(id, { transaction: t, raw: true });
      if (!v) throw new Error(`flow version ${id} not found`);
      const row = { ...v, definition: typeof v.definition === 'string' ? JSON.parse(v.definition) : v.definition } as ApprovalFlowVersion;
      versions.set(id, row);
      return row;
    },

    /** The version a new submission starts with: the default flow's current one. */
    async defaultVersion(t: Transaction): Promise<{ flowId: number; flowName: string; versionId: number; definition: FlowDefinition }> {
      const flow = await ApprovalFlow.findOne({ where: { isDefault: true, enabled: true }, order: [['id', 'ASC']], transaction: t });
      if (!flow) throw new AppError(409, 'NO_ACTIVE_FLOW');
      const v = await currentVersion(flow.id, flow.currentVersion, t);
      return { flowId: flow.id, flowName: flow.name, versionId: v.id, definition: v.definition };
    },

    async list() {
      const flows = await ApprovalFlow.findAll({ order: [['id', 'ASC']] });
      const pending = (await Application.count({ where: { status: 'pending', flowId: { [Op.ne]: null } }, group: ['flowId'] })) as unknown as { flowId: number; count: number }[];
      const byFlow = new Map(pending.map((p) => [Number(p.flowId), Number(p.count)]));
      return Promise.all(
        flows.map(async (f) => {
          const v = await currentVersion(f.id, f.currentVersion);
          return {
            id: f.id,
            name: f.name,
            description: f.description,
            isDefault: f.isDefault,
            enabled: f.enabled,
            version: f.currentVersion,
            summary: await describe(v.definition),
            nodeCount: v.definition.nodes.length,
            pendingApplications: byFlow.get(f.id) ?? 0,
            updatedAt: f.updatedAt,
          };
        }),
      );
    },

    async get(id: number) {
      const f = await ApprovalFlow.findByPk(id);
      if (!f) throw notFound('流程不存在');
      const v = await currentVersion(f.id, f.currentVersion);
      const all = await ApprovalFlowVersion.findAll({ where: { flowId: id }, attributes: ['id', 'version', 'createdBy', 'createdAt'], order: [['version', 'DESC']], raw: true });
      const pending = await pendingByVersion(id);
      const users = await org.usersByIds(all.map((x) => x.createdBy!).filter(Boolean));
      return {
        id: f.id,
        name: f.name,
        description: f.description,
        isDefault: f.isDefault,
        enabled: f.enabled,
        version: f.currentVersion,
        definition: v.definition,
        summary: await describe(v.definition),
        versions: all.map((x) => ({
          version: x.version,
          createdAt: x.createdAt,
          createdByName: x.createdBy ? (users.get(x.createdBy)?.name ?? null) : null,
          pendingApplications: pending.get(x.id) ?? 0,
        })),
      };
    },

    async create(rc: RequestContext, input: SaveFlowInput) {
      await checkUsers(input.definition);
      const id = await db.transaction(async (t) => {
        const f = await ApprovalFlow.create({ name: input.name, description: input.description ?? null, isDefault: false, enabled: input.enabled, currentVersion: 1, createdBy: rc.actor.id }, { transaction: t });
        if (input.isDefault) await keepOneDefault(t, f.id, input);
        await f.update({ isDefault: input.isDefault }, { transaction: t });
        await ApprovalFlowVersion.create({ flowId: f.id, version: 1, definition: input.definition, createdBy: rc.actor.id }, { transaction: t });
        await audit.record(rc, { action: 'create', entityType: 'approval_flow', entityId: f.id, after: { name: input.name, version: 1, definition: input.definition } }, t);
        return f.id;
      });
      return service.get(id);
    },

    /** Saves changes; a changed definition becomes the next version (pending applications keep theirs). */
    async update(rc: RequestContext, id: number, input: SaveFlowInput) {
      await checkUsers(input.definition);
      await db.transaction(async (t) => {
        const f = await ApprovalFlow.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
        if (!f) throw notFound('流程不存在');
        await keepOneDefault(t, id, input);
        const current = await currentVersion(id, f.currentVersion, t);
        const changed = JSON.stringify(current.definition) !== JSON.stringify(input.definition);
        const version = changed ? f.currentVersion + 1 : f.currentVersion;
        if (changed) await ApprovalFlowVersion.create({ flowId: id, version, definition: input.definition, createdBy: rc.actor.id }, { transaction: t });
        const before = { name: f.name, enabled: f.enabled, isDefault: f.isDefault, version: f.currentVersion };
        await f.update({ name: input.name, description: input.description ?? null, enabled: input.enabled, isDefault: input.isDefault, currentVersion: version }, { transaction: t });
        await audit.record(rc, { action: 'update', entityType: 'approval_flow', entityId: id, before, after: { name: input.name, enabled: input.enabled, isDefault: input.isDefault, version, ...(changed ? { definition: input.definition } : {}) } }, t);
      });
      return service.get(id);
    },
  };
  return service;
}
export type FlowService = ReturnType<typeof createFlowService>;
