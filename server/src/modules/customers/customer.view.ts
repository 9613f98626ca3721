// What the API shows of a customer to a given actor: sensitive fields masked per role (C28).
import { FIELD_ACCESS, maskIdNumber, maskPhone, type SensitiveField } from '../../contracts/fields';
import { STAGES } from '../../contracts/stages';
import { COLLATERALS, CREDIT_STATUSES, OCCUPATIONS } from '../../contracts/catalog';
import { shanghaiDate } from '../../contracts/dates';
import type { Actor } from '../../http/context';
import type { FieldCrypto } from '../crypto/field-crypto';
import type { Customer } from './customer.model';

export interface Names {
  users: Map<number, { name: string }>;
  departments: Map<number, { name: string }>;
  channels: Map<string, { name: string }>;
}

function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

export function sensitiveValue(c: Customer, field: SensitiveField, crypto: FieldCrypto): string | null {
  const stored = field === 'phone' ? c.phoneEnc : c.idNumberEnc;
  return stored ? crypto.decrypt(stored) : null;
}

export function toCustomerView(c: Customer, actor: Actor, names: Names, crypto: FieldCrypto) {
  const access = FIELD_ACCESS[actor.role];
  const phonePlain = access.phone === 'plain';
  const idPlain = access.idNumber === 'plain';
  const plainPhone = sensitiveValue(c, 'phone', crypto)!;
  const phone = phonePlain ? plainPhone : maskPhone(plainPhone);
  let idNumber: string | null = null;
  if (c.idNumberEnc) {
    const plain = sensitiveValue(c, 'idNumber', crypto)!;
    idNumber = idPlain ? plain : maskIdNumber(plain);
  }
  return {
    id: Number(c.id),
    name: c.name,
    phone,
    phoneMasked: !phonePlain,
    // Pool customers are revealed only after claiming (see CustomerService.reveal).
    phoneRevealable: access.phone === 'reveal' && c.ownerId !== null,
    idNumber,
    idNumberMasked: idNumber !== null && !idPlain,
    idNumberRevealable: idNumber !== null && access.idNumber === 'reveal' && c.ownerId !== null,
    gender: c.gender,
    age: c.birthDate ? ageOn(c.birthDate, shanghaiDate()) : null,
    birthDate: idPlain ? c.birthDate : null,
    city: c.city,
    channel: c.channel,
    channelName: names.channels.get(c.channel)?.name ?? c.channel,
    campaignTags: c.campaignTags ?? [],
    stage: c.stage,
    stageName: STAGES[c.stage],
    ownerId: c.ownerId,
    ownerName: c.ownerId ? (names.users.get(c.ownerId)?.name ?? null) : null,
    departmentId: c.departmentId,
    departmentName: c.departmentId ? (names.departments.get(c.departmentId)?.name ?? null) : null,
    inPool: c.ownerId === null,
    pooledAt: c.pooledAt,
    poolReason: c.poolReason,
    loanAmountFen: c.loanAmountFen === null ? null : Number(c.loanAmountFen),
    loanTermMonths: c.loanTermMonths,
    loanPurpose: c.loanPurpose,
    collateral: c.collateral,
    collateralName: c.collateral ? COLLATERALS[c.collateral] : null,
    monthlyIncomeFen: c.monthlyIncomeFen === null ? null : Number(c.monthlyIncomeFen),
    occupation: c.occupation ?? null,
    occupationName: c.occupation ? OCCUPATIONS[c.occupation] : null,
    creditStatus: c.creditStatus ?? null,
    creditStatusName: c.creditStatus ? CREDIT_STATUSES[c.creditStatus] : null,
    creditNotes: c.creditNotes ?? null,
    remark: c.remark,
    nextFollowUpDate: c.nextFollowUpDate,
    lastFollowUpAt: c.lastFollowUpAt,
    assignedAt: c.assignedAt,
    stageChangedAt: c.stageChangedAt,
    customFields: c.customFields ?? {},
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
export type CustomerView = ReturnType<typeof toCustomerView>;

/** The columns toCustomerListItem reads (keyset pagination orders by two of them). */
export const LIST_ITEM_COLUMNS: (keyof Customer)[] = [
  'id', 'name', 'phoneEnc', 'gender', 'city', 'channel', 'stage', 'ownerId', 'departmentId', 'poolReason', 'loanAmountFen', 'nextFollowUpDate', 'lastFollowUpAt',
];

/** A list row: what a customer cell shows. No ID number, loan details or custom fields to decrypt and ship. */
export function toCustomerListItem(c: Customer, actor: Actor, names: Names, crypto: FieldCrypto) {
  const access = FIELD_ACCESS[actor.role].phone;
  const plainPhone = sensitiveValue(c, 'phone', crypto)!;
  return {
    id: Number(c.id),
    name: c.name,
    phone: access === 'plain' ? plainPhone : maskPhone(plainPhone),
    phoneMasked: access !== 'plain',
    phoneRevealable: access === 'reveal',
    gender: c.gender,
    city: c.city,
    channel: c.channel,
    channelName: names.channels.get(c.channel)?.name ?? c.channel,
    stage: c.stage,
    stageName: STAGES[c.stage],
    ownerId: c.ownerId,
    ownerName: c.ownerId ? (names.users.get(c.ownerId)?.name ?? null) : null,
    departmentId: c.departmentId,
    inPool: c.ownerId === null,
    poolReason: c.poolReason,
    loanAmountFen: c.loanAmountFen === null ? null : Number(c.loanAmountFen),
    nextFollowUpDate: c.nextFollowUpDate,
    // The JSON text a Date becomes, made here: a Date in the page sends JSON.stringify down its slow
    // path (toJSON calls) for the whole response, which then takes about twice as long.
    lastFollowUpAt: c.lastFollowUpAt ? c.lastFollowUpAt.toISOString() : null,
  };
}
export type CustomerListItem = ReturnType<typeof toCustomerListItem>;

/** The audit trail's picture of a customer: never the plain phone or ID number. */
export function auditSnapshot(c: Partial<Customer>) {
  const { phoneEnc, idNumberEnc, phoneHash, idNumberHash, ...rest } = c;
  return { ...rest, phone: phoneEnc ? `***${c.phoneLast4 ?? ''}` : undefined, idNumber: idNumberEnc ? '已登记' : undefined };
}
