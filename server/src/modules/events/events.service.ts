// Domain events go to the outbox table in the same transaction as the change.
// Consumers (bot messages, webhooks) read them later; nothing is sent from inside a transaction.
import type { Transaction } from 'sequelize';
import type { Models } from '../../db/models';

export const EVENT_TYPES = {
  CustomerCreated: 'customer.created',
  CustomerUpdated: 'customer.updated',
  StageChanged: 'customer.stage_changed',
  OwnerChanged: 'customer.owner_changed',
  FollowUpRecorded: 'followup.recorded',
  StaffBookTransferred: 'staff.book_transferred',
  ApplicationSubmitted: 'application.submitted',
  ApprovalTaskCreated: 'approval.task_created',
  ApplicationDecided: 'application.decided',
  ApplicationWithdrawn: 'application.withdrawn',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export interface EventInput {
  type: EventType;
  aggregateType: string;
  aggregateId: string | number;
  payload: Record<string, unknown>;
  actorId?: number | null;
}

export function createEventService(models: Models) {
  const row = (e: EventInput) => ({
    type: e.type,
    aggregateType: e.aggregateType,
    aggregateId: String(e.aggregateId),
    payload: e.payload,
    actorId: e.actorId ?? null,
  });
  return {
    async emit(e: EventInput, t: Transaction) {
      await models.DomainEvent.create(row(e), { transaction: t });
    },
    async emitMany(events: EventInput[], t: Transaction) {
      if (events.length) await models.DomainEvent.bulkCreate(events.map(row), { transaction: t });
    },
  };
}
export type EventService = ReturnType<typeof createEventService>;
