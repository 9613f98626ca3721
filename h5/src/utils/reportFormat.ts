// How report numbers read on screen: money in 元/万 from integer fen, rates as percentages.
import { formatFenShort } from '@contracts/money';
import type { ReportColumn } from '@contracts/report-builder';

export function formatMeasure(v: number | null | undefined, unit: ReportColumn['unit']): string {
  if (v === null || v === undefined) return '—';
  switch (unit) {
    case 'fen':
      return formatFenShort(v);
    case 'rate':
      return `${(v * 100).toFixed(1)}%`;
    case 'ppm':
      return `${(v / 10_000).toFixed(2)}%`;
    case 'months':
      return `${v} 个月`;
    case 'days':
      return `${v} 天`;
    default:
      return v.toLocaleString('zh-CN');
  }
}

/** ppm of 1 (250000 = 25 %) as a percentage, for the metrics API's rates. */
export function ppmPercent(ppm: number | null | undefined): string {
  return ppm === null || ppm === undefined ? '—' : `${(ppm / 10_000).toFixed(1)}%`;
}

/** A chart value: fen charted in 元 so axis ticks read naturally; rates in percent. */
export function chartValue(v: number | null, unit: ReportColumn['unit']): number | null {
  if (v === null) return null;
  if (unit === 'fen') return Math.round(v) / 100;
  if (unit === 'rate') return Math.round(v * 1000) / 10;
  if (unit === 'ppm') return v / 10_000;
  return v;
}

/** Axis tick text for charted values (元 shortened to 万 / 亿). */
export function axisTick(v: number, unit: ReportColumn['unit']): string {
  if (unit === 'fen') {
    if (Math.abs(v) >= 1e8) return `${+(v / 1e8).toFixed(1)}亿`;
    if (Math.abs(v) >= 1e4) return `${+(v / 1e4).toFixed(1)}万`;
    return String(v);
  }
  if (unit === 'rate' || unit === 'ppm') return `${v}%`;
  return Math.abs(v) >= 1e4 ? `${+(v / 1e4).toFixed(1)}万` : String(v);
}

/** Money on a KPI card: whole 元 below 1万, then 万 with two decimals at most (0 reads "0 元"). */
export function moneyCard(fen: number): string {
  const yuan = fen / 100;
  if (Math.abs(yuan) < 10_000) return `${Number.isInteger(yuan) ? yuan.toLocaleString('zh-CN') : yuan.toFixed(2)} 元`;
  if (Math.abs(yuan) < 1e8) return `${+(yuan / 1e4).toFixed(2)} 万`;
  return `${+(yuan / 1e8).toFixed(2)} 亿`;
}
