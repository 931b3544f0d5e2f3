import type { Schemas } from '@shared/api'
import { mix } from '@shared/branding'
import { type ChartOption, shortYuan, TOOLTIP, yuanAxisTooltip } from '@shared/charts/options'

export type Dashboard = Schemas['ConsoleDashboard']

/** One shade per line from the tenant's colour: the first line in it, the next ones lighter. */
export const lineColors = (color: string, n: number) => Array.from({ length: n }, (_, i) => (i ? mix(color, '#FFFFFF', 0.25 + 0.2 * (i - 1)) : color.toUpperCase()))

export const hasPremium = (d: Dashboard) => d.premium_by_month.some((m) => Number(m.total) !== 0)

/** 保费 by month, one stacked bar series per line (交强险, 商业险 …), ¥ tooltips. */
export function premiumOption(d: Dashboard, color: string): ChartOption {
  return {
    color: lineColors(color, d.lines.length),
    tooltip: { ...TOOLTIP, trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: yuanAxisTooltip },
    legend: { top: 0, data: d.lines.map((l) => l.label) },
    grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: d.premium_by_month.map((m) => m.month) },
    yAxis: { type: 'value', axisLabel: { formatter: shortYuan } },
    series: d.lines.map((l) => ({
      type: 'bar' as const,
      name: l.label,
      stack: 'premium',
      barMaxWidth: 28,
      data: d.premium_by_month.map((m) => Number(m.by_line[l.line] ?? 0)),
    })),
  }
}

/** 在修车辆 by state, as horizontal bars. */
export function repairsOption(d: Dashboard, color: string): ChartOption {
  const states = d.open_repairs.by_state
  return {
    color: [color],
    tooltip: { ...TOOLTIP, trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 24, top: 8, bottom: 4, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: states.map((s) => s.label) },
    series: [{ type: 'bar', name: '在修', data: states.map((s) => s.count), barMaxWidth: 18, label: { show: true, position: 'right' } }],
  }
}

/** "61.8%" from "0.6183"; "—" when there is nothing to divide by. */
export const percent = (ratio: string | null | undefined) => (ratio == null ? '—' : `${(Number(ratio) * 100).toFixed(1)}%`)
