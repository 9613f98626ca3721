// Normalisation and validation of mainland mobile numbers and resident ID numbers.
// Pure functions shared by the server (before hashing) and the H5 forms.

export function normalizePhone(input: string): string | null {
  const digits = input.replace(/[\s\-()]/g, '').replace(/^(\+?86|0086)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

/** The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK_CHARS[sum % 11];
}

export interface IdNumberInfo {
  idNumber: string;
  birthDate: string; // YYYY-MM-DD
  gender: 'male' | 'female';
}

export type IdNumberProblem = 'format' | 'birthday' | 'checksum';

/**
 * Validates an 18-character resident ID (a 15-digit legacy one is upgraded first):
 * format, a real birthday not in the future, and the ISO 7064 MOD 11-2 check character.
 */
export function parseIdNumber(input: string, today: Date = new Date()): IdNumberInfo | { problem: IdNumberProblem } {
  let id = input.replace(/\s/g, '').toUpperCase();
  if (/^\d{15}$/.test(id)) {
    const first17 = `${id.slice(0, 6)}19${id.slice(6)}`;
    id = first17 + idCheckChar(first17);
  }
  if (!/^\d{17}[\dX]$/.test(id)) return { problem: 'format' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date.getTime() > today.getTime()) {
    return { problem: 'birthday' };
  }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return { problem: 'checksum' };
  return {
    idNumber: id,
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    gender: Number(id[16]) % 2 === 1 ? 'male' : 'female',
  };
}

export const ID_PROBLEM_MESSAGES: Record<IdNumberProblem, string> = {
  format: '身份证号应为 18 位',
  birthday: '身份证号中的出生日期无效',
  checksum: '身份证号校验位不正确',
};

export const PHONE_MESSAGE = '请输入 11 位手机号';
