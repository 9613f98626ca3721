// The follow-up ladder's vocabulary and admin input: customer sub-statuses an officer sets, and
// the editable parts of a ladder step.
import { z } from 'zod';

export const SUB_STATUSES = {
  awaiting_docs: '待补充资料',
} as const;
export type SubStatus = keyof typeof SUB_STATUSES;
export const SUB_STATUS_KEYS = Object.keys(SUB_STATUSES) as [SubStatus, ...SubStatus[]];

export const SetSubStatus = z.object({ subStatus: z.enum(SUB_STATUS_KEYS).nullable() });

export const LadderActionsSchema = z.object({
  remindOwner: z.boolean().optional(),
  copySupervisor: z.boolean().optional(),
  releaseToPool: z.boolean().optional(),
  smsCustomer: z.boolean().optional(),
  createTask: z.boolean().optional(),
});

export const UpdateLadderStep = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    waitValue: z.number().int().min(1).max(720).optional(),
    enabled: z.boolean().optional(),
    actions: LadderActionsSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: '没有要修改的内容' });
export type UpdateLadderStepInput = z.infer<typeof UpdateLadderStep>;
