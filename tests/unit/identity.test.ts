// Phone and ID-number normalisation and validation: what the server hashes and the H5 checks.
import { describe, expect, it } from 'vitest';
import { normalizePhone, parseIdNumber } from '../../server/src/contracts/identity';
import { makeIdNumber } from '../helpers/test-app';

describe('normalizePhone', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['(138)00138000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['  19912345678 ', '19912345678'],
    ['16612345678', '16612345678'],
  ])('%j → %s', (input, expected) => expect(normalizePhone(input)).toBe(expected));

  it.each([
    ['', 'empty'],
    ['1380013800', '10 digits'],
    ['138001380001', '12 digits'],
    ['12800138000', 'second digit 2'],
    ['10800138000', 'second digit 0'],
    ['23800138000', 'not starting with 1'],
    ['057188886666', 'landline'],
    ['1380013800a', 'letter'],
    ['+1 13800138000', 'foreign prefix'],
    ['138.0013.8000', 'dots are not separators'],
  ])('%j is not a mobile number (%s)', (input) => expect(normalizePhone(input)).toBeNull());
});

describe('parseIdNumber', () => {
  const today = new Date('2026-11-23T04:00:00Z');

  it('accepts a valid number and derives birthday and gender', () => {
    const id = makeIdNumber('19900307', '110101', '123');
    expect(parseIdNumber(id, today)).toEqual({ idNumber: id, birthDate: '1990-03-07', gender: 'male' });
    expect(parseIdNumber(makeIdNumber('19900307', '110101', '121'), today)).toMatchObject({ gender: 'male' });
    expect(parseIdNumber(makeIdNumber('19900307', '110101', '122'), today)).toMatchObject({ gender: 'female' });
  });

  it('a well-known public sample validates', () => {
    // GB 11643 example: 11010519491231002X
    expect(parseIdNumber('11010519491231002X', today)).toEqual({ idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: 'female' });
    expect(parseIdNumber('11010519491231002x', today)).toMatchObject({ idNumber: '11010519491231002X' });
    expect(parseIdNumber(' 110105 19491231 002X ', today)).toMatchObject({ idNumber: '11010519491231002X' });
  });

  it('upgrades a 15-digit legacy number to its 18-character form', () => {
    expect(parseIdNumber('110105491231002', today)).toEqual({ idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: 'female' });
    expect(parseIdNumber('330102850612456', today)).toEqual({ idNumber: makeIdNumber('19850612', '330102', '456'), birthDate: '1985-06-12', gender: 'female' });
  });

  it.each([
    ['1101051949123100', 'format'],
    ['11010519491231002Y', 'format'],
    ['1101051949123100X2', 'format'],
    ['', 'format'],
    [makeIdNumber('19900230'), 'birthday'],
    [makeIdNumber('19901301'), 'birthday'],
    [makeIdNumber('19900100'), 'birthday'],
    [makeIdNumber('18991231'), 'birthday'],
    [makeIdNumber('20261124'), 'birthday'],
    ['110105194912310021', 'checksum'],
    ['11010519491231002' + '9', 'checksum'],
  ])('%j → problem %s', (input, problem) => expect(parseIdNumber(input, today)).toEqual({ problem }));

  it('a birthday of today is valid; tomorrow is not', () => {
    expect(parseIdNumber(makeIdNumber('20261123'), new Date('2026-11-23T12:00:00Z'))).toMatchObject({ birthDate: '2026-11-23' });
    expect(parseIdNumber(makeIdNumber('20261124'), new Date('2026-11-23T12:00:00Z'))).toEqual({ problem: 'birthday' });
  });

  it('29 February only in leap years', () => {
    expect(parseIdNumber(makeIdNumber('20000229'), today)).toMatchObject({ birthDate: '2000-02-29' });
    expect(parseIdNumber(makeIdNumber('19000229'), today)).toEqual({ problem: 'birthday' });
    expect(parseIdNumber(makeIdNumber('19990229'), today)).toEqual({ problem: 'birthday' });
  });

  it('every single-digit change to a valid number is caught by the checksum or the birthday', () => {
    const id = makeIdNumber('19870523', '330106', '415');
    for (let i = 0; i < 17; i++) {
      const digit = Number(id[i]);
      const changed = id.slice(0, i) + String((digit + 1) % 10) + id.slice(i + 1);
      expect(parseIdNumber(changed, today), `position ${i}`).toHaveProperty('problem');
    }
  });
});
