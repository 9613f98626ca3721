// Sensitive fields and how each role sees them (C28). `plain`: shown in full;
// `reveal`: masked, with an audited reveal action; `masked`: masked, no reveal.
// Kept as data so field-level permissions can become admin-editable later.
import type { Role } from './roles';

export const SENSITIVE_FIELDS = { phone: '手机号', idNumber: '身份证号' } as const;
export type SensitiveField = keyof typeof SENSITIVE_FIELDS;
export type FieldAccess = 'plain' | 'reveal' | 'masked';

export const FIELD_ACCESS: Readonly<Record<Role, Readonly<Record<SensitiveField, FieldAccess>>>> = {
  officer: { phone: 'reveal', idNumber: 'reveal' },
  team_lead: { phone: 'reveal', idNumber: 'reveal' },
  branch_manager: { phone: 'reveal', idNumber: 'reveal' },
  risk: { phone: 'reveal', idNumber: 'plain' },
  director: { phone: 'reveal', idNumber: 'reveal' },
  finance: { phone: 'masked', idNumber: 'masked' },
  admin: { phone: 'plain', idNumber: 'plain' },
};

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '****';
}

/** 110101199003071234 → 110101********1234 */
export function maskIdNumber(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : '****';
}
