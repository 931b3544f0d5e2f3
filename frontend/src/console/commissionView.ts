import type { Schemas } from '@shared/api'
import { percentRate, ratePercent } from './quoteView'

export type PlanRow = Schemas['PlanList']
export type PlanDetail = Schemas['PlanDetail']
export type Campaign = Schemas['Campaign']
export type Period = Schemas['Period']
export type Run = Schemas['Run']
export type Statement = Schemas['Statement']
export type StatementDetail = Schemas['StatementDetail']
export type Entry = Schemas['Entry']
export type CommissionLine = Schemas['CommissionLineEnum']

export const LINES: { value: CommissionLine; label: string }[] = [
  { value: 'ctpl', label: '交强险' },
  { value: 'commercial', label: '商业险' },
  { value: 'goods', label: '商品' },
  { value: 'services', label: '服务' },
]
export const LINE_LABELS: Record<string, string> = Object.fromEntries(LINES.map((l) => [l.value, l.label]))

export const SCHEMES = [
  { value: 'differential', label: '级差', hint: '每个职级填累计比例，上级得到本级比例减去下级比例' },
  { value: 'per_level', label: '逐级分成', hint: '按层级分成：0 为销售本人，1 为上级，2 为上上级 …' },
] as const
export const SETTLEMENT_MODES = [
  { value: 'same_level', label: '同级结算', hint: '公司只与链条顶端结算，上级再与直属下级结算' },
  { value: 'cross_level', label: '跨级结算', hint: '公司直接与每一级结算' },
] as const

/** 促销活动结算: who pays for the gift packs or coupons given with a sale. */
export const PROMOTION_BEARERS = [
  { value: 'tenant', label: '公司承担' },
  { value: 'seller', label: '销售人员承担' },
  { value: 'chain', label: '链上按分成比例分担' },
] as const

/** 佣金, 活动手续费 … by entry kind, in the order statements show them. */
export const KIND_LABELS: Record<string, string> = {
  commission: '佣金',
  campaign: '活动',
  promotion: '促销',
  volume_bonus: '通算',
  adjustment: '调整',
}

export const ENTRY_STATES: Record<string, { label: string; type: 'warning' | 'primary' | 'success' }> = {
  pending: { label: '待结算', type: 'warning' },
  confirmed: { label: '已确认', type: 'primary' },
  settled: { label: '已结算', type: 'success' },
}

/** A rule (项目) as typed: the rate in percent, money as text ('' = none). */
export interface RuleDraft {
  line: CommissionLine
  insurer: string
  tier: number | ''
  distance: number
  rate_kind: 'percent' | 'fixed'
  rate: number | undefined
  amount: string
  cap: string
  valid: [string, string] | null
}

export interface VolumeDraft {
  threshold: string
  rate: number | undefined
  include_goods: boolean
}

export interface PlanDraft {
  name: string
  scheme: 'differential' | 'per_level'
  settlement_mode: 'same_level' | 'cross_level'
  promotion_bearer: Schemas['PromotionBearerEnum']
  rules: RuleDraft[]
  volume_tiers: VolumeDraft[]
}

export function blankRule(line: CommissionLine = 'commercial', distance = 0): RuleDraft {
  return { line, insurer: '', tier: '', distance, rate_kind: 'percent', rate: undefined, amount: '', cap: '', valid: null }
}

export function blankPlan(): PlanDraft {
  return { name: '', scheme: 'differential', settlement_mode: 'same_level', promotion_bearer: 'tenant', rules: [blankRule()], volume_tiers: [] }
}

export function planDraftOf(p: PlanDetail): PlanDraft {
  return {
    name: p.name,
    scheme: p.scheme,
    settlement_mode: p.settlement_mode,
    promotion_bearer: p.promotion_bearer ?? 'tenant',
    rules: p.rules.map((r) => ({
      line: r.line,
      insurer: r.insurer ?? '',
      tier: r.tier ?? '',
      distance: r.distance ?? 0,
      rate_kind: r.rate_kind,
      rate: r.rate_kind === 'percent' ? ratePercent(r.rate) : undefined,
      amount: r.rate_kind === 'fixed' ? (r.amount ?? '') : '',
      cap: r.cap ?? '',
      valid: r.valid_from || r.valid_to ? [r.valid_from ?? '', r.valid_to ?? ''] : null,
    })),
    volume_tiers: p.volume_tiers.map((t) => ({ threshold: t.threshold, rate: ratePercent(t.rate), include_goods: t.include_goods })),
  }
}

/** The request body: rates as fractions ("0.1000"), the tier or the level by the scheme, empty money as null. */
export function planBody(d: PlanDraft): Schemas['PlanInputRequest'] {
  const differential = d.scheme === 'differential'
  return {
    name: d.name.trim(),
    scheme: d.scheme,
    settlement_mode: d.settlement_mode,
    promotion_bearer: d.promotion_bearer,
    rules: d.rules.map((r) => ({
      line: r.line,
      insurer: r.insurer || null,
      tier: differential ? (r.tier === '' ? null : r.tier) : null,
      distance: differential ? null : r.distance,
      rate_kind: r.rate_kind,
      rate: r.rate_kind === 'percent' ? (r.rate === undefined || r.rate === null ? null : percentRate(r.rate)) : null,
      amount: r.rate_kind === 'fixed' ? r.amount.trim() || null : null,
      cap: r.cap.trim() || null,
      valid_from: r.valid?.[0] || null,
      valid_to: r.valid?.[1] || null,
    })),
    volume_tiers: d.volume_tiers.map((t) => ({
      threshold: t.threshold.trim(),
      rate: percentRate(t.rate ?? 0),
      include_goods: t.include_goods,
    })),
  }
}

/** "上 2 级" for a per-level distance. */
export function levelLabel(distance: number | null | undefined): string {
  if (distance === null || distance === undefined) return '—'
  return distance === 0 ? '销售本人' : `上 ${distance} 级`
}

export interface Counterparty {
  distributor_id: number | null
  name: string
  receive: string
  pay: string
}

export function totalsOf(s: { totals?: unknown }): Record<string, string> {
  return (s.totals ?? {}) as Record<string, string>
}

export function counterpartiesOf(s: { counterparties?: unknown }): Counterparty[] {
  return (s.counterparties ?? []) as Counterparty[]
}

/** "收 公司 ¥120.00" / "付 张三 ¥40.00", one per line. */
export function counterpartyLines(s: { counterparties?: unknown }, money: (v: string) => string): string[] {
  const lines: string[] = []
  for (const c of counterpartiesOf(s)) {
    const name = c.distributor_id === null ? '公司' : c.name
    if (Number(c.receive)) lines.push(`收 ${name} ${money(c.receive)}`)
    if (Number(c.pay)) lines.push(`付 ${name} ${money(c.pay)}`)
  }
  return lines
}
