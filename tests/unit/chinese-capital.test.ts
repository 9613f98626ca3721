// 大写金额 on contracts: the table a bank teller would check, with 整 and 零 placement.
import { describe, expect, it } from 'vitest';
import { fenToChineseCapital } from '../../server/src/contracts/chinese-capital';

describe('fenToChineseCapital', () => {
  it.each([
    [123456789, '壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分'],
    [0, '零元整'],
    [1, '壹分'],
    [10, '壹角'],
    [56, '伍角陆分'],
    [100, '壹元整'],
    [105, '壹元零伍分'],
    [150, '壹元伍角'],
    [1000, '壹拾元整'],
    [100000, '壹仟元整'],
    [100500, '壹仟零伍元整'],
    [1000000, '壹万元整'],
    [1000100, '壹万零壹元整'],
    [10500000, '壹拾万伍仟元整'],
    [10050000, '壹拾万零伍佰元整'],
    [30000000, '叁拾万元整'],
    [50000000000, '伍亿元整'],
    [10000000500, '壹亿零伍元整'],
    [10001000000, '壹亿零壹万元整'],
    [100050000000, '壹拾亿零伍拾万元整'],
    [100005000000, '壹拾亿零伍万元整'],
    [123400000000, '壹拾贰亿叁仟肆佰万元整'],
    [800000000, '捌佰万元整'],
    [120000005, '壹佰贰拾万元零伍分'],
    [-5000, '负伍拾元整'],
  ])('%i fen → %s', (fen, text) => {
    expect(fenToChineseCapital(fen)).toBe(text);
  });

  it('refuses a fractional fen', () => {
    expect(() => fenToChineseCapital(1.5)).toThrow(RangeError);
  });
});
