// Money is integer fen; 元 strings convert without floating point.
import { describe, expect, it } from 'vitest';
import { formatFen, formatFenShort, yuanToFen } from '../../server/src/contracts/money';

describe('yuanToFen', () => {
  it.each([
    ['0', 0], ['1', 100], ['12.3', 1230], ['12.30', 1230], ['12.34', 1234], ['0.01', 1], ['0.1', 10], ['5.', 500],
    ['1,000', 100000], ['1,234,567.89', 123456789], [' 88 ', 8800], ['007', 700],
    [12.3, 1230], [0.07, 7], [1e6, 100000000],
    ['90071992547409.91', 9007199254740991],
  ] as const)('%j → %d', (input, fen) => expect(yuanToFen(input)).toBe(fen));

  it.each([
    ['12.345'], ['-1'], ['-0.01'], ['abc'], [''], ['.5'], ['1e3'], ['１２'], ['12.3.4'], ['¥12'], ['12元'],
    [0.1 + 0.2], [-5], [NaN], [Infinity], ['90071992547409.92'], ['99999999999999999999'],
  ] as const)('%j → null', (input) => expect(yuanToFen(input)).toBeNull());
});

describe('formatFen', () => {
  it.each([
    [0, '0.00'], [1, '0.01'], [10, '0.10'], [99, '0.99'], [100, '1.00'], [123456, '1,234.56'], [100000000, '1,000,000.00'],
    [-1, '-0.01'], [-123456, '-1,234.56'], [9007199254740991, '90,071,992,547,409.91'],
  ])('%d → %s', (fen, text) => expect(formatFen(fen)).toBe(text));

  it('round-trips with yuanToFen', () => {
    for (const fen of [0, 1, 99, 100, 12345, 100000000, 123456789012]) expect(yuanToFen(formatFen(fen))).toBe(fen);
  });
});

describe('formatFenShort', () => {
  it.each([
    [80000000, '80万'], [1000000, '1万'], [500000000, '500万'], [1500000, '15,000.00元'], [12345, '123.45元'], [0, '0.00元'], [999999, '9,999.99元'],
  ])('%d → %s', (fen, text) => expect(formatFenShort(fen)).toBe(text));
});
