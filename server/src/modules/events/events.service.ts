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
  // Loans after approval (issue #6)
  ContractSigned: 'contract.signed',
  LoanDisbursed: 'loan.disbursed',
  LoanPaymentRecorded: 'loan.payment_recorded',
  LoanEntryReversed: 'loan.entry_reversed',
  LoanSettled: 'loan.settled',
  LoanOverdueChanged: 'loan.overdue_changed',
  LoanWrittenOff: 'loan.written_off',
  CollectionRecorded: 'collection.recorded',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export interface EventInput {
  type: EventType;
  aggregateType: string;
  aggregateId: string | number;
  payload: Record<string, unknown>;
  actorId?: number | null;
}

/**
 * An in-process subscriber that runs inside the emitting transaction (after the outbox row is
 * written): commission accrual on `loan.disbursed`, report rollups on everything. A throw rolls the
 * business change back with it, so subscribers must only fail on real inconsistencies.
 */
export type EventSubscriber = (event: EventInput, t: Transaction) => Promise<void>;

export function createEventService(models: Models) {
  // type (or '*') → subscriber name → handler; registering a name again replaces it, so building
  // the app twice over one deps (tests) never runs a subscriber twice.
  const subscribers = new Map<string, Map<string, EventSubscriber>>();
  async function dispatch(e: EventInput, t: Transaction) {
    for (const key of [e.type, '*']) {
      for (const handler of subscribers.get(key)?.values() ?? []) await handler(e, t);
    }
  }
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
      await dispatch(e, t);
    },
    async emitMany(events: EventInput[], t: Transaction) {
      if (!events.length) return;
      await models.DomainEvent.bulkCreate(events.map(row), { transaction: t });
      for (const e of events) await dispatch(e, t);
    },
    /** Subscribes `handler` (under a unique `name`) to one event type, or to all with '*'. */
    on(type: EventType | '*', name: string, handler: EventSubscriber) {
      let byName = subscribers.get(type);
      if (!byName) subscribers.set(type, (byName = new Map()));
      byName.set(name, handler);
    },
  };
}
export type EventService = ReturnType<typeof createEventService>;
