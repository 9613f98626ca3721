// State and validation of the customer form, shared by 新客户 and 编辑资料. Every field is checked
// with the server's own schema (CreateCustomer.shape.*); money is typed in 元 and sent in fen.
import { reactive } from 'vue';
import { CreateCustomer } from '@contracts/customer.schemas';
import type { Collateral, CreditStatus, Occupation } from '@contracts/catalog';
import { yuanToFen } from '@contracts/money';
import type { Customer } from '@/api/types';
import type { ApiError } from './request';

export interface CustomerFormState {
  name: string;
  phone: string;
  idNumber: string;
  city: string;
  channel: string | null;
  amount: string; // 元, as typed
  term: number | null;
  purpose: string;
  collateral: Collateral | null;
  income: string; // 元, as typed
  occupation: Occupation | null;
  creditStatus: CreditStatus | null;
  creditNotes: string;
  next: string | null;
  remark: string;
}
export type FormKey = keyof CustomerFormState;

/** The form's keys in screen order (the first bad one gets the focus). */
export const FORM_ORDER: FormKey[] = ['name', 'phone', 'idNumber', 'city', 'channel', 'amount', 'term', 'purpose', 'collateral', 'income', 'occupation', 'creditStatus', 'creditNotes', 'next', 'remark'];

/** API field names → form keys. */
const SERVER_FIELD: Record<string, FormKey> = {
  loanAmountFen: 'amount', monthlyIncomeFen: 'income', loanTermMonths: 'term', loanPurpose: 'purpose', nextFollowUpDate: 'next',
};
export const formKeyOf = (apiField: string): FormKey => SERVER_FIELD[apiField] ?? (apiField as FormKey);

/** 12345 fen → "123.45" for an input (no thousands separators, integer maths only). */
export function fenToYuanInput(fen: number | null): string {
  if (fen === null) return '';
  const cents = fen % 100;
  return cents ? `${Math.floor(fen / 100)}.${String(cents).padStart(2, '0')}` : String(fen / 100);
}

/** Yuan text → fen, or a message; '' is "not given". */
export function parseMoney(text: string, label: string): { fen?: number; error?: string } {
  if (!text.trim()) return {};
  const fen = yuanToFen(text);
  if (fen === null) return { error: `${label}请填写数字,最多两位小数` };
  return { fen };
}

export function emptyForm(overrides: Partial<CustomerFormState> = {}): CustomerFormState {
  return {
    name: '', phone: '', idNumber: '', city: '', channel: null, amount: '', term: null, purpose: '', collateral: null, income: '', occupation: null, creditStatus: null, creditNotes: '', next: null, remark: '',
    ...overrides,
  };
}

/** A form prefilled from a customer (sensitive fields left empty: the view only has them masked). */
export function formFromCustomer(c: Customer): CustomerFormState {
  return emptyForm({
    name: c.name,
    city: c.city ?? '',
    channel: c.channel,
    amount: fenToYuanInput(c.loanAmountFen),
    term: c.loanTermMonths,
    purpose: c.loanPurpose ?? '',
    collateral: c.collateral,
    income: fenToYuanInput(c.monthlyIncomeFen),
    occupation: c.occupation ?? null,
    creditStatus: c.creditStatus ?? null,
    creditNotes: c.creditNotes ?? '',
    next: c.nextFollowUpDate,
    remark: c.remark ?? '',
  });
}

const S = CreateCustomer.shape;
type Parsed = { success: boolean; error?: { issues: { message: string }[] } };
const firstIssue = (r: Parsed) => (r.success ? undefined : r.error?.issues[0]?.message);

/** Reactive form + per-field errors + the shared checks. */
export function useCustomerForm(initial: CustomerFormState) {
  const form = reactive<CustomerFormState>({ ...initial });
  const errors = reactive<Partial<Record<FormKey, string>>>({});

  function problem(key: FormKey): string | undefined {
    switch (key) {
      case 'name': return firstIssue(S.name.safeParse(form.name));
      case 'phone': return firstIssue(S.phone.safeParse(form.phone));
      case 'idNumber': return firstIssue(S.idNumber.safeParse(form.idNumber));
      case 'city': return firstIssue(S.city.safeParse(form.city));
      case 'channel': return firstIssue(S.channel.safeParse(form.channel ?? undefined));
      case 'amount': {
        const m = parseMoney(form.amount, '贷款金额');
        return m.error ?? firstIssue(S.loanAmountFen.safeParse(m.fen));
      }
      case 'income': {
        const m = parseMoney(form.income, '月收入');
        return m.error ?? firstIssue(S.monthlyIncomeFen.safeParse(m.fen));
      }
      case 'term': return firstIssue(S.loanTermMonths.safeParse(form.term ?? undefined));
      case 'purpose': return firstIssue(S.loanPurpose.safeParse(form.purpose));
      case 'collateral': return firstIssue(S.collateral.safeParse(form.collateral ?? undefined));
      case 'occupation': return firstIssue(S.occupation.safeParse(form.occupation ?? undefined));
      case 'creditStatus': return firstIssue(S.creditStatus.safeParse(form.creditStatus ?? undefined));
      case 'creditNotes': return firstIssue(S.creditNotes.safeParse(form.creditNotes));
      case 'next': return firstIssue(S.nextFollowUpDate.safeParse(form.next ?? undefined));
      case 'remark': return firstIssue(S.remark.safeParse(form.remark));
    }
  }

  /** Checks one field; true when it is fine. */
  function check(key: FormKey): boolean {
    errors[key] = problem(key);
    return !errors[key];
  }

  /** Checks the given fields; returns the first bad one (and scrolls to it), or null. */
  function checkAll(keys: FormKey[]): FormKey | null {
    const bad = keys.filter((k) => !check(k));
    if (!bad.length) return null;
    document.querySelector(`[data-field="${bad[0]}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    return bad[0];
  }

  /** The API body for every profile field (money in fen, empty as undefined). */
  function body() {
    return {
      name: form.name,
      phone: form.phone,
      idNumber: form.idNumber || undefined,
      city: form.city || undefined,
      channel: form.channel ?? '',
      loanAmountFen: parseMoney(form.amount, '').fen,
      loanTermMonths: form.term ?? undefined,
      loanPurpose: form.purpose || undefined,
      collateral: form.collateral ?? undefined,
      monthlyIncomeFen: parseMoney(form.income, '').fen,
      occupation: form.occupation ?? undefined,
      creditStatus: form.creditStatus ?? undefined,
      creditNotes: form.creditNotes || undefined,
      nextFollowUpDate: form.next ?? undefined,
      remark: form.remark || undefined,
    };
  }

  /** Puts a 422's field messages next to their fields. */
  function applyServerErrors(e: ApiError) {
    for (const [field, message] of Object.entries(e.fieldErrors())) errors[formKeyOf(field)] = message;
  }

  return { form, errors, check, checkAll, body, applyServerErrors };
}
