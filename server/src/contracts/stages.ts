// Customer lifecycle stages and the transitions allowed between them (C5).
// Shared by server, H5 and bot: the one place that names a stage.
export const STAGES = {
  lead: '线索',
  intent: '意向',
  due_diligence: '已尽调',
  under_approval: '审批中',
  signed: '已签约',
  disbursed: '已放款',
  repaying: '还款中',
  settled: '已结清',
  bad_debt: '坏账',
  lost: '无效',
} as const;

export type Stage = keyof typeof STAGES;
export const STAGE_KEYS = Object.keys(STAGES) as [Stage, ...Stage[]];

/** The main line, in order; exits are bad_debt and lost. */
export const STAGE_FLOW: readonly Stage[] = ['lead', 'intent', 'due_diligence', 'under_approval', 'signed', 'disbursed', 'repaying', 'settled'];

/**
 * Allowed moves. Forward one step along the line, back one step before signing
 * (an approval sent back for more documents), lost before the money moves,
 * bad debt once it has moved, and a lost customer may be revived as a lead.
 */
export const STAGE_TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  lead: ['intent', 'lost'],
  intent: ['due_diligence', 'lead', 'lost'],
  due_diligence: ['under_approval', 'intent', 'lost'],
  under_approval: ['signed', 'due_diligence', 'lost'],
  signed: ['disbursed', 'lost'],
  disbursed: ['repaying', 'bad_debt'],
  repaying: ['settled', 'bad_debt'],
  settled: [],
  bad_debt: ['settled'],
  lost: ['lead'],
};

export function canTransition(from: Stage, to: Stage): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

/** Stages where a customer is still being worked on (counts toward an officer's open book). */
export const OPEN_STAGES: readonly Stage[] = ['lead', 'intent', 'due_diligence', 'under_approval', 'signed'];
