// Enumerations used by customer and follow-up forms.
export const COLLATERALS = { house: '房产', vehicle: '车辆', policy: '保单', credit: '信用', other: '其他' } as const;
export type Collateral = keyof typeof COLLATERALS;

export const FOLLOWUP_TYPES = { call: '电话', visit: '面谈', wechat: '微信', note: '备注' } as const;
export type FollowUpType = keyof typeof FOLLOWUP_TYPES;

export const FOLLOWUP_OUTCOMES = {
  interested: '有意向',
  considering: '考虑中',
  need_documents: '待补充资料',
  no_answer: '未接通',
  not_interested: '无意向',
  other: '其他',
} as const;
export type FollowUpOutcome = keyof typeof FOLLOWUP_OUTCOMES;

export const OWNER_CHANGE_KINDS = {
  create: '登记',
  assign: '分配',
  release: '退回公海',
  claim: '公海领取',
  transfer: '离职继承',
  intake: '渠道进件',
  org_move: '随负责人调岗', // org sync moved the owner to another team; the customer follows
} as const;
export type OwnerChangeKind = keyof typeof OWNER_CHANGE_KINDS;
