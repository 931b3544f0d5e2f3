// Chart options as plain data, built from what a page loaded: testable without a canvas.
import { yuan } from '../quotes'

/** The subset of an ECharts option we build (kept loose: ECharts' own type is large and lazy-loaded). */
export interface ChartOption {
  [key: string]: unknown
  color?: string[]
  tooltip?: Record<string, unknown>
  legend?: Record<string, unknown>
  grid?: Record<string, unknown>
  xAxis?: Record<string, unknown> | Record<string, unknown>[]
  yAxis?: Record<string, unknown> | Record<string, unknown>[]
  series: ({ type: 'bar' | 'line' | 'pie'; name?: string; data: unknown[] } & Record<string, unknown>)[]
}

interface TooltipParam {
  axisValueLabel?: string
  seriesName?: string
  value?: number | string
  name?: string
  percent?: number
}

/** Axis tooltip: the category, then one line per series with its value in ¥ (plain text, for TOOLTIP). */
export function yuanAxisTooltip(params: TooltipParam | TooltipParam[]): string {
  const list = Array.isArray(params) ? params : [params]
  const head = list[0]?.axisValueLabel ?? ''
  return [head, ...list.map((p) => `${p.seriesName ?? ''} ${yuan(Number(p.value ?? 0))}`)].join('\n')
}

/** Tooltips drawn on the canvas (rich text), not as HTML: ECharts' HTML tooltips carry inline style
 * attributes, which our Content-Security-Policy (style-src 'self') blocks. */
export const TOOLTIP = { renderMode: 'richText' } as const

/** Short ¥ labels for an axis: 12,345 -> 1.2万. */
export function shortYuan(v: number): string {
  return Math.abs(v) >= 10000 ? `${Math.round(v / 1000) / 10}万` : String(Math.round(v))
}
