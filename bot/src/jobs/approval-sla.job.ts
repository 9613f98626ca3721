// Approval SLA reminders (C9): every 10 minutes, pending tasks past their node's SLA remind the
// approver, and past twice the SLA tell the approver's supervisor (see approval-sla.ts).
import type { BotJob } from './job';
import { runApprovalSla } from '../../../server/src/modules/approvals/approval-sla';
import { createApprovalNotifier } from '../../../server/src/modules/approvals/approval.notifier';

export const approvalSlaJob: BotJob = {
  name: 'approval-sla',
  schedule: () => '*/10 * * * *',
  leaseMs: 5 * 60_000,
  async run(deps) {
    const r = await runApprovalSla(deps, createApprovalNotifier(deps.bot));
    return `approval SLA: ${r.reminded} reminded, ${r.escalated} escalated`;
  },
};
