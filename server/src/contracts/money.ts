// Money is integer fen everywhere; 元 only at the edges, converted as strings (never floats).

/** "12.3" → 1230, "1,000" → 100000; null when not a non-negative amount with ≤ 2 decimals. */
export function yuanToFen(input: string | number): number | null {
  const s = String(input).replace(/[,\s]/g, '');
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** 123456 → "1,234.56" */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

/** 80000000 fen → "80万"; short form for cards and lists. */
export function formatFenShort(fen: number): string {
  const yuan = fen / 100;
  if (yuan >= 10000 && fen % 1000000 === 0) return `${fen / 1000000}万`;
  return `${formatFen(fen)}元`;
}
