/** One ECharts instance bound to a div: resized with its container, disposed on unmount. */
import { useEffect, useRef } from 'react';
import { echarts, type EChartsType } from './echarts';
import type { Option } from './options';

type ChartElement = HTMLDivElement & { chart?: EChartsType };

export default function EChart({ option, height = 280, onReady, notMerge = true, testId }: {
  option: Option;
  height?: number;
  onReady?: (chart: EChartsType | null) => void;
  notMerge?: boolean;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const readyRef = useRef(onReady);
  readyRef.current = onReady;

  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    (ref.current as ChartElement).chart = instance; // lets a browser test read what is drawn
    readyRef.current?.(instance);
    const ro = new ResizeObserver(() => instance.resize());
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      readyRef.current?.(null);
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option as echarts.EChartsCoreOption, { notMerge, lazyUpdate: true });
  }, [option, notMerge]);

  return <div ref={ref} style={{ width: '100%', height }} data-testid={testId} />;
}
