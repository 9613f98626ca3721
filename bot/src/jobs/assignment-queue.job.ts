// Leads that arrived outside working hours under a working-hours-only assignment rule: every
// 5 minutes, the ones whose working morning has come are assigned (see modules/assignment).
import type { BotJob } from './job';
import { createAssignmentService } from '../../../server/src/modules/assignment/assignment.service';

export const assignmentQueueJob: BotJob = {
  name: 'assignment-queue',
  schedule: () => '*/5 * * * *',
  leaseMs: 5 * 60_000,
  async run(deps) {
    const r = await createAssignmentService(deps).runQueue();
    return `assignment queue: ${r.assigned} assigned, ${r.pooled} left in the pool`;
  },
};
