// Amounts in Chinese capital numerals (大写金额) as written on contracts and receipts:
// 1234567.89 元 → 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分. Conventions (《支付结算办法》附件一):
// - 整 follows 元 when there are no 角/分 (壹佰元整); after 角 it is not written (壹佰元伍角);
// - one 零 stands for a run of zeros between two written digits (壹仟零伍元, 壹亿零伍元); zeros at
//   the end are not read (壹万元整); when the 万/亿 position is 0 but the next 仟 is not, the rules
//   allow either form and we write none (壹拾万伍仟元整);
// - 角 0 with 分 written: 零 between them (壹元零伍分); below one yuan no 元 part (伍角陆分).
const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const SMALL_UNITS = ['', '拾', '佰', '仟'];
const BIG_UNITS = ['', '万', '亿', '万亿'];

/** Whole yuan (≥ 1) in capitals, without the 元. */
function yuanCapital(yuan: bigint): string {
  const digits = yuan.toString();
  if (digits.length > 16) throw new RangeError('金额过大');
  let out = '';
  let pendingZero = false;
  for (let idx = 0; idx < digits.length; idx++) {
    const pos = digits.length - 1 - idx;
    const d = Number(digits[idx]);
    if (d === 0) {
      if (out !== '') pendingZero = true;
    } else {
      if (pendingZero) out += '零';
      pendingZero = false;
      out += DIGITS[d] + SMALL_UNITS[pos % 4];
    }
    if (pos % 4 === 0 && pos > 0) {
      const sectionDigits = digits.slice(Math.max(0, idx - 3), idx + 1);
      if (/[1-9]/.test(sectionDigits)) {
        out += BIG_UNITS[pos / 4];
        pendingZero = false;
      }
    }
  }
  return out;
}

/** Integer fen → 大写金额. Negative amounts are written with a leading 负. */
export function fenToChineseCapital(fen: number | bigint): string {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) throw new RangeError('金额应为整数分');
  const n = BigInt(fen);
  if (n < 0n) return `负${fenToChineseCapital(-n)}`;
  if (n === 0n) return '零元整';
  const yuan = n / 100n;
  const jiao = Number((n / 10n) % 10n);
  const fenDigit = Number(n % 10n);
  let out = yuan > 0n ? `${yuanCapital(yuan)}元` : '';
  if (jiao === 0 && fenDigit === 0) return `${out}整`;
  if (jiao > 0) out += `${DIGITS[jiao]}角`;
  else if (yuan > 0n) out += '零';
  if (fenDigit > 0) out += `${DIGITS[fenDigit]}分`;
  return out;
}
