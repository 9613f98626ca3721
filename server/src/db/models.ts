import type { Sequelize } from 'sequelize';
import { defineOrgModels } from '../modules/org/org.model';
import { defineChannelModel } from '../modules/channels/channel.model';
import { defineCustomerModels } from '../modules/customers/customer.model';
import { defineFollowUpModel } from '../modules/followups/follow-up.model';
import { defineApplicationModels } from '../modules/applications/application.model';
import { defineFlowModels } from '../modules/approvals/flow.model';
import { defineTaskModels } from '../modules/approvals/task.model';
import { defineAuditLogModel } from '../modules/audit/audit-log.model';
import { defineDomainEventModel } from '../modules/events/domain-event.model';
import { defineIdempotencyKeyModel } from '../modules/intake/idempotency-key.model';
import { defineMessengerModels } from '../modules/messenger/messenger.model';
import { defineBotModels } from '../modules/bot/bot.model';
import { defineSsoStateModel } from '../modules/auth/sso-state.model';
import { defineRiskModels } from '../modules/risk/risk.model';
import { defineLadderModels } from '../modules/ladder/ladder.model';
import { defineTaskInboxModel } from '../modules/tasks/task.model';
import { defineAssignmentModels } from '../modules/assignment/assignment.model';
import { defineProductModels } from '../modules/products/product.model';
import { defineLoanModels } from '../modules/loans/loan.model';
import { defineContractModels } from '../modules/contracts/contract.model';
import { defineSavedReportModel } from '../modules/reports/builder/saved-report.model';
import { defineSmsModels } from '../modules/sms/sms.model';
import { defineCollectionModels } from '../modules/collections/collection.model';
import { defineCommissionModels } from '../modules/commissions/commission.model';

export function defineModels(s: Sequelize) {
  return {
    ...defineOrgModels(s),
    Channel: defineChannelModel(s),
    ...defineCustomerModels(s),
    FollowUp: defineFollowUpModel(s),
    ...defineApplicationModels(s),
    ...defineFlowModels(s),
    ...defineTaskModels(s),
    AuditLog: defineAuditLogModel(s),
    DomainEvent: defineDomainEventModel(s),
    IdempotencyKey: defineIdempotencyKeyModel(s),
    ...defineMessengerModels(s),
    ...defineBotModels(s),
    SsoState: defineSsoStateModel(s),
    ...defineRiskModels(s),
    ...defineLadderModels(s),
    Task: defineTaskInboxModel(s),
    ...defineAssignmentModels(s),
    ...defineProductModels(s),
    ...defineLoanModels(s),
    ...defineContractModels(s),
    SavedReport: defineSavedReportModel(s),
    ...defineSmsModels(s),
    ...defineCollectionModels(s),
    ...defineCommissionModels(s),
  };
}

export type Models = ReturnType<typeof defineModels>;
