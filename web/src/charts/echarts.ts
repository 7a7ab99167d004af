/** ECharts with only the pieces the console draws, so the chart chunk stays small. */
import { BarChart, BoxplotChart, GaugeChart, GraphChart, LineChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart, BarChart, BoxplotChart, GaugeChart, GraphChart,
  GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, TitleComponent, MarkLineComponent,
  CanvasRenderer,
]);

export { echarts };
export type EChartsType = echarts.EChartsType;
