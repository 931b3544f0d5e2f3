import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import ClaimCostChart from './ClaimCostChart.vue'
import { claimCostOption } from './claimCost'

// ECharts draws on a canvas happy-dom does not have: stand in for the lazy chart and keep its option
vi.mock('@shared/charts/lazy', async () => {
  const { defineComponent, h } = await import('vue')
  return { LazyEChart: defineComponent({ props: ['option'], setup: (p) => () => h('div', { class: 'stub-chart', 'data-option': JSON.stringify(p.option) }) }) }
})

const shops = [
  { shop_id: 3, shop_name: '岳麓店', orders: 2, amount: '1850.00', cost: '1120.50' },
  { shop_id: 4, shop_name: '河西店', orders: 1, amount: '640.00', cost: '410.00' },
]

describe('费用对比 chart', () => {
  it('puts each shop’s repair amount beside its purchase cost', () => {
    const o = claimCostOption(shops, '#0b5fa5')
    expect(o.xAxis).toMatchObject({ data: ['岳麓店', '河西店'] })
    expect(o.series.map((s) => [s.name, s.data])).toEqual([['维修金额', [1850, 640]], ['采购成本', [1120.5, 410]]])
    expect(o.color?.[0]).toBe('#0B5FA5')
  })

  it('mounts the chart, or an empty state before any approved claim', () => {
    const w = mount(ClaimCostChart, { props: { shops, color: '#0B5FA5' } })
    expect(JSON.parse(w.get('.stub-chart').attributes('data-option') ?? '{}').series[1].data).toEqual([1120.5, 410])
    const none = mount(ClaimCostChart, { props: { shops: [], color: '#0B5FA5' } })
    expect(none.find('.stub-chart').exists()).toBe(false)
    expect(none.get('[data-testid="claim-cost-chart-empty"]').text()).toContain('暂无已核损的理赔')
  })
})
