import { type ChartOption, shortYuan, TOOLTIP, yuanAxisTooltip } from '@shared/charts/options'

export interface MonthTotals {
  month: string // YYYY-MM
  policies: number
  premium: number
  commission: number
}

/** Whether there is anything to draw: a month with premium or commission. */
export const hasPerformance = (months: MonthTotals[]) => months.some((m) => m.premium || m.commission)

/** 业绩 chart: premium per month as bars in the tenant's colour, commission as a line, ¥ tooltips. */
export function performanceOption(months: MonthTotals[], color: string, commissionLabel = '佣金'): ChartOption {
  const round = (n: number) => Math.round(n * 100) / 100
  return {
    color: [color, '#FF976A'],
    tooltip: { ...TOOLTIP, trigger: 'axis', formatter: yuanAxisTooltip },
    legend: { top: 0, data: ['保费', commissionLabel] },
    grid: { left: 8, right: 8, top: 32, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: months.map((m) => `${Number(m.month.slice(5))}月`), axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', axisLabel: { formatter: shortYuan } },
    series: [
      { type: 'bar', name: '保费', data: months.map((m) => round(m.premium)), barMaxWidth: 18, itemStyle: { borderRadius: [3, 3, 0, 0] } },
      { type: 'line', name: commissionLabel, data: months.map((m) => round(m.commission)), smooth: true, symbolSize: 5 },
    ],
  }
}
