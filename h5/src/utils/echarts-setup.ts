// Only the ECharts parts the 数据 pages draw. Named imports let the bundler drop the rest; this
// module is itself loaded with import() (utils/echarts.ts), so it is its own chunk.
import { init, use } from 'echarts/core';
import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, LineChart, PieChart, FunnelChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export { init };
