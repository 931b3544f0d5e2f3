import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import PerformanceChart from './PerformanceChart.vue'
import { performanceOption } from './performance'
import { yuanAxisTooltip } from '@shared/charts/options'

const months = [
  { month: '2026-10', policies: 0, premium: 0, commission: 0 },
  { month: '2026-11', policies: 3, premium: 10000, commission: 74.8 },
  { month: '2026-12', policies: 2, premium: 1298.456, commission: 112.4 },
]

// ECharts draws on a canvas happy-dom does not have: stand in for the lazy chart and keep its option
vi.mock('@shared/charts/lazy', async () => {
  const { defineComponent, h } = await import('vue')
  return { LazyEChart: defineComponent({ props: ['option'], setup: (p) => () => h('div', { class: 'stub-chart', 'data-option': JSON.stringify(p.option) }) }) }
})

describe('业绩 chart', () => {
  it('draws premium bars in the tenant colour and commission as a line, one point per month', () => {
    const o = performanceOption(months, '#C8102E', '我的佣金')
    expect(o.color?.[0]).toBe('#C8102E')
    expect(o.xAxis).toMatchObject({ type: 'category', data: ['10月', '11月', '12月'] })
    expect(o.series.map((s) => [s.type, s.name])).toEqual([['bar', '保费'], ['line', '我的佣金']])
    expect(o.series[0].data).toEqual([0, 10000, 1298.46])
    expect(o.series[1].data).toEqual([0, 74.8, 112.4])
  })

  it('shows each value in ¥ in the tooltip', () => {
    const text = yuanAxisTooltip([
      { axisValueLabel: '11月', seriesName: '保费', value: 10000 },
      { axisValueLabel: '11月', seriesName: '我的佣金', value: 74.8 },
    ])
    expect(text).toBe('11月\n保费 ¥10,000.00\n我的佣金 ¥74.80')
    // drawn on the canvas: no HTML with inline styles for the CSP to block
    expect(performanceOption(months, '#C8102E').tooltip).toMatchObject({ renderMode: 'richText', trigger: 'axis' })
  })

  it('mounts the chart with the option built from the months', () => {
    const w = mount(PerformanceChart, { props: { months, color: '#C8102E' } })
    const option = JSON.parse(w.get('.stub-chart').attributes('data-option') ?? '{}')
    expect(option.series[0].data).toEqual([0, 10000, 1298.46])
    expect(w.find('[data-testid="performance-chart-empty"]').exists()).toBe(false)
  })

  it('shows an empty state, not an empty chart, when no month has premium or commission', () => {
    const none = months.map((m) => ({ ...m, policies: 0, premium: 0, commission: 0 }))
    const w = mount(PerformanceChart, { props: { months: none, color: '#C8102E' } })
    expect(w.find('.stub-chart').exists()).toBe(false)
    expect(w.get('[data-testid="performance-chart-empty"]').text()).toContain('近 12 个月还没有保费')
  })
})
