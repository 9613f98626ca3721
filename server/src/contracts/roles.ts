// Roles and what each may do. Data scope (which customers) lives in the customers module;
// this file says which actions a role may take at all.
export const ROLES = {
  officer: '信贷员',
  team_lead: '团队主管',
  branch_manager: '分公司经理',
  risk: '风控专员',
  director: '总监',
  finance: '财务',
  admin: '管理员',
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_KEYS = Object.keys(ROLES) as [Role, ...Role[]];

export const PERMISSIONS = {
  'customer.create': ['officer', 'team_lead', 'branch_manager', 'admin'],
  'customer.update': ['officer', 'team_lead', 'branch_manager', 'admin'],
  'customer.assign': ['team_lead', 'branch_manager', 'admin'],
  'customer.release': ['officer', 'team_lead', 'branch_manager', 'admin'],
  'customer.stage': ['officer', 'team_lead', 'branch_manager', 'admin'],
  'followup.create': ['officer', 'team_lead', 'branch_manager', 'admin'],
  'pool.view': ['officer', 'team_lead', 'branch_manager', 'director', 'admin'],
  'pool.claim': ['officer', 'team_lead', 'branch_manager'],
  'staff.transfer': ['admin'],
  'staff.leave': ['team_lead', 'branch_manager', 'admin'], // their own team / branch; admin: everyone
  'audit.view': ['admin'],
  'application.create': ['officer', 'team_lead', 'branch_manager', 'admin'],
  'flow.manage': ['admin'],
  'bot.admin': ['admin'],
  'org.sync': ['admin'],
  'automation.manage': ['admin'],
  /** Risk pre-checks: edit the rule set and the internal blacklist. */
  'risk.manage': ['risk', 'admin'],
  /** Let a submission blocked by a reject-level pre-check through, with a reason (audited). */
  'risk.override': ['risk', 'director', 'admin'],
  // Loans after approval (issue #6). Reading loans follows the customer's data scope.
  /** Edit the product catalogue and its contract templates. */
  'product.manage': ['admin'],
  /** Generate a contract from a template for an approved application, upload the signed scan. */
  'contract.generate': ['officer', 'team_lead', 'branch_manager', 'admin'],
  /** Confirm an uploaded signed contract (a second person, never the uploader). */
  'contract.confirm': ['team_lead', 'branch_manager', 'admin'],
  /** Record disbursements, payments, statement imports, early settlements and reversals. */
  'loan.disburse': ['finance', 'admin'],
  'payment.record': ['finance', 'admin'],
  /** Write a loan off as bad debt (坏账). */
  'loan.write_off': ['finance', 'director', 'admin'],
  /** Collection records (催收记录) on overdue loans. */
  'collection.record': ['officer', 'team_lead', 'branch_manager', 'risk', 'finance', 'admin'],
  /** SMS templates, providers' logs and opt-outs. */
  'sms.manage': ['admin'],
  /** Commission rules (返佣规则) and monthly statements. */
  'commission.manage': ['finance', 'admin'],
  'commission.view': ['finance', 'director', 'admin'],
  // Reports (issue #7): everyone sees the numbers of their own data scope.
  'report.view': ['officer', 'team_lead', 'branch_manager', 'risk', 'director', 'finance', 'admin'],
  /** Enter channel costs per month (ROI). */
  'report.costs': ['director', 'finance', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Roles that may own customers (assignment targets). */
export const OWNER_ROLES: readonly Role[] = ['officer', 'team_lead', 'branch_manager'];

export const DEPARTMENT_KINDS = { head_office: '总部', branch: '分公司', team: '团队' } as const;
export type DepartmentKind = keyof typeof DEPARTMENT_KINDS;
