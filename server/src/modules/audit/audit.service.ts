// Writes audit rows inside the caller's transaction, so a change and its record commit together.
import type { Transaction } from 'sequelize';
import type { Models } from '../../db/models';
import type { RequestContext } from '../../http/context';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

export function createAuditService(models: Models) {
  return {
    async record(rc: RequestContext | null, entry: AuditEntry, t?: Transaction) {
      await models.AuditLog.create(
        {
          actorId: rc?.actor.id ?? null,
          action: entry.action,
          entityType: entry.entityType,
          entityId: String(entry.entityId),
          beforeData: entry.before ?? null,
          afterData: entry.after ?? null,
          ip: rc?.ip ?? null,
        },
        { transaction: t },
      );
    },
    async recordMany(rc: RequestContext | null, entries: AuditEntry[], t?: Transaction) {
      if (entries.length === 0) return;
      await models.AuditLog.bulkCreate(
        entries.map((e) => ({
          actorId: rc?.actor.id ?? null,
          action: e.action,
          entityType: e.entityType,
          entityId: String(e.entityId),
          beforeData: e.before ?? null,
          afterData: e.after ?? null,
          ip: rc?.ip ?? null,
        })),
        { transaction: t },
      );
    },
    async list(filter: { entityType?: string; entityId?: string; actorId?: number; limit: number }) {
      const where: Record<string, unknown> = {};
      if (filter.entityType) where.entityType = filter.entityType;
      if (filter.entityId) where.entityId = filter.entityId;
      if (filter.actorId) where.actorId = filter.actorId;
      return models.AuditLog.findAll({ where, order: [['id', 'DESC']], limit: filter.limit });
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
