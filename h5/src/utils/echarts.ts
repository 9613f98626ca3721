// ECharts on demand: the core plus only the charts and components the 数据 pages draw, loaded
// by dynamic import() the first time a chart mounts, so no page pays for it up front.
export type ECharts = import('echarts/core').EChartsType;
export type EChartsOption = import('echarts/core').EChartsCoreOption;

let loading: Promise<typeof import('./echarts-setup')> | null = null;

export function loadECharts() {
  loading ??= import('./echarts-setup');
  return loading;
}

/** Readable on a 390 px phone: 12 px labels, legend at the bottom, room for the axis labels. */
export const PHONE_TEXT = { fontSize: 12, color: '#646566' };
export const PALETTE = ['#1677ff', '#00b42a', '#ff7d00', '#722ed1', '#f53f3f', '#14c9c9', '#f7ba1e', '#86909c'];
