// Evaluates one condition of a condition node against the facts. A missing value never matches,
// except under "不等于" (an unknown city is not 杭州).
import type { Condition } from '../../../contracts/approval-flow';
import type { Facts } from './types';

export function fieldValue(facts: Facts, field: string): number | string | null {
  if (field.startsWith('customer.')) {
    const v = facts.customer[field.slice('customer.'.length) as keyof Facts['customer']];
    return v ?? null;
  }
  const v = facts[field as keyof Omit<Facts, 'customer'>];
  return v ?? null;
}

export function evaluateCondition(c: Condition, facts: Facts): boolean {
  const v = fieldValue(facts, c.field);
  if (v === null) return c.op === 'ne';
  const want = c.value;
  switch (c.op) {
    case 'gt':
      return typeof v === 'number' && typeof want === 'number' && v > want;
    case 'gte':
      return typeof v === 'number' && typeof want === 'number' && v >= want;
    case 'lt':
      return typeof v === 'number' && typeof want === 'number' && v < want;
    case 'lte':
      return typeof v === 'number' && typeof want === 'number' && v <= want;
    case 'eq':
      return v === want;
    case 'ne':
      return v !== want;
    case 'in':
      return Array.isArray(want) && want.includes(String(v));
  }
}
