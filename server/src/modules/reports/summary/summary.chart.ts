// The team leaderboard as a PNG for group robots: ECharts renders server-side to SVG (no DOM, no
// canvas), resvg turns the SVG into a PNG. Text is Chinese, so a CJK font is loaded explicitly
// (WenQuanYi Micro Hei, Debian's fonts-wqy-microhei); without one the chart still renders, with
// whatever the system has, and a warning is logged once.
import fs from 'node:fs';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';
import type { PersonLine } from './summary.compose';

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
  people: Pick<PersonLine, 'name' | 'followUps' | 'submitted' | 'newLeads'>[];
}

/** The leaderboard chart as SVG: horizontal bars of follow-ups, applications and new leads per person. */
export function leaderboardSvg(input: ChartInput, size = { width: 720, height: 0 }): string {
  const people = input.people.slice(0, 10).reverse(); // ECharts draws categories bottom-up
  const height = size.height || Math.max(320, 120 + people.length * 44);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT_FAMILY },
      title: { text: input.title, subtext: input.subtitle, left: 'center', top: 8, textStyle: { fontSize: 20 }, subtextStyle: { fontSize: 13 } },
      legend: { bottom: 8, data: ['跟进', '进件', '新线索'] },
      grid: { left: 16, right: 40, top: 72, bottom: 44, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: people.map((p) => p.name), axisLabel: { fontSize: 14 } },
      series: [
        { name: '跟进', type: 'bar', data: people.map((p) => p.followUps), label: { show: true, position: 'right' }, itemStyle: { color: '#1677ff' } },
        { name: '进件', type: 'bar', data: people.map((p) => p.submitted), label: { show: true, position: 'right' }, itemStyle: { color: '#52c41a' } },
        { name: '新线索', type: 'bar', data: people.map((p) => p.newLeads), label: { show: true, position: 'right' }, itemStyle: { color: '#faad14' } },
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
