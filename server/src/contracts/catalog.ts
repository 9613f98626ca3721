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

/** Occupation and credit standing: facts lenders' eligibility tests (product matching, C14). */
export const OCCUPATIONS = {
  employee: '企业职员',
  civil_servant: '公务员/事业单位',
  business_owner: '企业主',
  self_employed: '个体工商户',
  freelancer: '自由职业',
  other: '其他',
} as const;
export type Occupation = keyof typeof OCCUPATIONS;

export const CREDIT_STATUSES = {
  good: '征信良好',
  minor_overdue: '少量逾期',
  serious_overdue: '严重逾期',
  no_record: '无征信记录',
} as const;
export type CreditStatus = keyof typeof CREDIT_STATUSES;
