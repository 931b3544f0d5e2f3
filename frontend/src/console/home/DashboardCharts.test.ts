import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import DashboardCharts from './DashboardCharts.vue'
import { type Dashboard, lineColors, percent, premiumOption, repairsOption } from './dashboard'

// ECharts draws on a canvas happy-dom does not have: stand in for the lazy chart and keep its option
vi.mock('@shared/charts/lazy', async () => {
  const { defineComponent, h } = await import('vue')
  return { LazyEChart: defineComponent({ props: ['option'], setup: (p) => () => h('div', { class: 'stub-chart', 'data-option': JSON.stringify(p.option) }) }) }
})

const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']
const zero = { ctpl: '0.00', commercial: '0.00' }
const data: Dashboard = {
  from_month: '2026-01',
  to_month: '2026-12',
  lines: [{ line: 'ctpl', label: '交强险' }, { line: 'commercial', label: '商业险' }],
  premium_by_month: months.map((month) =>
    month === '2026-12' ? { month, by_line: { ctpl: '665.00', commercial: '1000.00' }, total: '1665.00' }
    : month === '2026-10' ? { month, by_line: { ctpl: '0.00', commercial: '2000.00' }, total: '2000.00' }
    : { month, by_line: zero, total: '0.00' }),
  premium_total: '3665.00',
  renewal: { due: 2, renewed: 1, rate: '0.5000' },
  commission: { total: '226.60', ratio: '0.0618' },
  open_repairs: {
    total: 2,
    by_state: [
      { state: 'requested', label: '施工申请', count: 1 },
      { state: 'accepted', label: '已接单', count: 0 },
      { state: 'quoted', label: '待确认报价', count: 0 },
      { state: 'approved', label: '已确认', count: 0 },
      { state: 'in_progress', label: '施工中', count: 1 },
    ],
  },
} // prettier-ignore
const empty: Dashboard = {
  ...data,
  premium_by_month: months.map((month) => ({ month, by_line: zero, total: '0.00' })),
  premium_total: '0.00',
  renewal: { due: 0, renewed: 0, rate: null },
  commission: { total: '0.00', ratio: null },
  open_repairs: { total: 0, by_state: data.open_repairs.by_state.map((s) => ({ ...s, count: 0 })) },
}

describe('工作台 charts', () => {
  it('stacks premium by line per month, in shades of the tenant colour', () => {
    const o = premiumOption(data, '#C8102E')
    expect(o.xAxis).toMatchObject({ data: months })
    expect(o.series.map((s) => [s.name, s.stack])).toEqual([['交强险', 'premium'], ['商业险', 'premium']])
    expect(o.series[0].data.slice(9)).toEqual([0, 0, 665])
    expect(o.series[1].data.slice(9)).toEqual([2000, 0, 1000])
    expect(o.color).toEqual(lineColors('#C8102E', 2))
    expect(o.color?.[0]).toBe('#C8102E')
  })

  it('draws open repairs by state', () => {
    const o = repairsOption(data, '#C8102E')
    expect(o.yAxis).toMatchObject({ data: ['施工申请', '已接单', '待确认报价', '已确认', '施工中'] })
    expect(o.series[0].data).toEqual([1, 0, 0, 0, 1])
  })

  it('shows the ratios as percentages and the figures behind them', () => {
    expect(percent('0.0618')).toBe('6.2%')
    expect(percent(null)).toBe('—')
    const w = mount(DashboardCharts, { props: { data, color: '#C8102E' } })
    expect(w.get('[data-testid="dashboard-renewal"]').text()).toContain('50.0%')
    expect(w.get('[data-testid="dashboard-renewal"]').text()).toContain('到期 2 单，已续保 1 单')
    expect(w.get('[data-testid="dashboard-commission"]').text()).toContain('6.2%')
    expect(w.get('[data-testid="dashboard-premium-total"]').text()).toContain('¥3,665.00')
    const charts = w.findAll('.stub-chart').map((c) => JSON.parse(c.attributes('data-option') ?? '{}'))
    expect(charts).toHaveLength(2)
    expect(charts[0].series[1].data[11]).toBe(1000)
  })

  it('shows empty states instead of empty charts', () => {
    const w = mount(DashboardCharts, { props: { data: empty, color: '#C8102E' } })
    expect(w.find('.stub-chart').exists()).toBe(false)
    expect(w.get('[data-testid="dashboard-premium-empty"]').text()).toContain('近 12 个月还没有出单')
    expect(w.get('[data-testid="dashboard-repairs-empty"]').text()).toContain('没有在修车辆')
    expect(w.get('[data-testid="dashboard-renewal"]').text()).toContain('—')
  })
})
