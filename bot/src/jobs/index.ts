// Every scheduled job of the bot. Add a job by adding its file and listing it here.
import type { BotJob } from './job';
import { approvalSlaJob } from './approval-sla.job';
import { callbackSweepJob } from './callback-sweep.job';
import { orgSyncJob } from './org-sync.job';
import { assignmentQueueJob } from './assignment-queue.job';
import { ladderJob } from './ladder.job';
import { repaymentSmsJob } from './repayment-sms.job';
import { smsSendJob } from './sms-send.job';
import { overdueJob } from './overdue.job';
import { dailySummaryJob } from './daily-summary.job';

export const BOT_JOBS: BotJob[] = [orgSyncJob, callbackSweepJob, approvalSlaJob, ladderJob, assignmentQueueJob, repaymentSmsJob, smsSendJob, overdueJob, dailySummaryJob];
