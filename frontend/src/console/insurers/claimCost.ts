import type { Schemas } from '@shared/api'
import { mix } from '@shared/branding'
import { type ChartOption, shortYuan, TOOLTIP, yuanAxisTooltip } from '@shared/charts/options'

export type ClaimShop = Schemas['ClaimStats']['shops'][number]

/** 费用对比: per shop, what its approved claim items cost (维修金额) against its purchase cost (采购成本). */
export function claimCostOption(shops: ClaimShop[], color: string): ChartOption {
  return {
    color: [color.toUpperCase(), mix(color, '#FFFFFF', 0.5)],
    tooltip: { ...TOOLTIP, trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: yuanAxisTooltip },
    legend: { top: 0, data: ['维修金额', '采购成本'] },
    grid: { left: 8, right: 16, top: 32, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: shops.map((s) => s.shop_name), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', axisLabel: { formatter: shortYuan } },
    series: [
      { type: 'bar', name: '维修金额', data: shops.map((s) => Number(s.amount)), barMaxWidth: 28 },
      { type: 'bar', name: '采购成本', data: shops.map((s) => Number(s.cost)), barMaxWidth: 28 },
    ],
  }
}
