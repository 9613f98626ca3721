// The team leaderboard as a PNG for group robots: ECharts renders server-side to SVG (no DOM, no
// canvas), resvg turns the SVG into a PNG. Text is Chinese, so a CJK font is loaded explicitly
// (WenQuanYi Micro Hei, Debian's fonts-wqy-microhei); without one the chart still renders, with
// whatever the system has, and a warning is logged once.
import fs from 'node:fs';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';
import type { PersonLine } from './summary.compose';
import { fenShort } from './summary.render';

export const CJK_FONT_FILES = ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'];
const FONT_FAMILY = 'WenQuanYi Micro Hei';
/** WeCom robot images: at most 2 MB before base64 (reference W5). Ours are far smaller. */
export const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

let fontFiles: string[] | null = null;
function availableFonts(): string[] {
  if (!fontFiles) fontFiles = CJK_FONT_FILES.filter((f) => fs.existsSync(f));
  return fontFiles;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  /** Ranked best first (summary.compose compareRank); the first 10 are drawn. */
  people: Pick<PersonLine, 'name' | 'followUps' | 'submitted' | 'newLeads' | 'disbursedFen'>[];
}

/**
 * The leaderboard chart as SVG: two panels on one list of names, in ranking order — 放款 (what the
 * ranking puts first; bar lengths are the integer fen, labels in 万) and 跟进 (activity) — so the
 * picture explains the order and a big follow-up count does not dwarf the money.
 */
export function leaderboardSvg(input: ChartInput, size = { width: 720, height: 0 }): string {
  const people = input.people.slice(0, 10).reverse(); // ECharts draws categories bottom-up
  const height = size.height || Math.max(300, 110 + people.length * 36);
  const names = people.map((p) => p.name);
  const money = people.map((p) => fenShort(p.disbursedFen));
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height });
  try {
    const axisName = (name: string) => ({ name, nameLocation: 'middle' as const, nameGap: 8, nameTextStyle: { fontSize: 13, color: '#666' } });
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT_FAMILY },
      title: { text: input.title, subtext: input.subtitle, left: 'center', top: 8, textStyle: { fontSize: 20 }, subtextStyle: { fontSize: 13 } },
      grid: [
        { left: 16, width: '44%', top: 84, bottom: 16, containLabel: true },
        { right: 48, width: '34%', top: 84, bottom: 16, containLabel: true },
      ],
      xAxis: [
        { type: 'value', gridIndex: 0, show: false, position: 'top', ...axisName('放款') },
        { type: 'value', gridIndex: 1, show: false, position: 'top', minInterval: 1, ...axisName('跟进') },
      ],
      yAxis: [
        { type: 'category', gridIndex: 0, data: names, axisLabel: { fontSize: 14 }, axisTick: { show: false } },
        { type: 'category', gridIndex: 1, data: names, axisLabel: { show: false }, axisTick: { show: false } },
      ],
      series: [
        {
          name: '放款', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: people.map((p) => p.disbursedFen), barMaxWidth: 22, itemStyle: { color: '#1677ff' },
          label: { show: true, position: 'right', formatter: (p: { dataIndex: number }) => money[p.dataIndex] },
        },
        { name: '跟进', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: people.map((p) => p.followUps), barMaxWidth: 22, itemStyle: { color: '#52c41a' }, label: { show: true, position: 'right' } },
      ],
      graphic: [
        { type: 'text', left: '22%', top: 62, style: { text: '放款', fontSize: 14, fontWeight: 'bold', fontFamily: FONT_FAMILY, fill: '#1677ff' } },
        { type: 'text', left: '70%', top: 62, style: { text: '跟进', fontSize: 14, fontWeight: 'bold', fontFamily: FONT_FAMILY, fill: '#52c41a' } },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function svgToPng(svg: string): Buffer {
  const files = availableFonts();
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: files.length ? { fontFiles: files, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY } : { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}

export function leaderboardPng(input: ChartInput): Buffer {
  return svgToPng(leaderboardSvg(input));
}

export const hasCjkFont = () => availableFonts().length > 0;
