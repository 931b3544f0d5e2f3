import type { Schemas } from '@shared/api'
import { decimalString } from '@shared/format'
import { percentRate, ratePercent } from '../quotes/quoteView'

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
  { value: 'shares', label: '按固定比例逐级分担' },
] as const

/** In a differential plan's 职级 column: the rule of referring customers (推荐车主, no tier). */
export const REFERRER = 'referrer' as const

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
  /** a tier, or REFERRER (differential: 推荐车主, goods and services only) */
  tier: number | '' | typeof REFERRER
  distance: number
  rate_kind: 'percent' | 'fixed'
  rate: number | undefined
  amount: string
  cap: string
  valid: [string, string] | null
}

/** A 通算 tier: the lines (and insurers, none = all) whose business counts and earns the bonus. */
export interface VolumeDraft {
  lines: CommissionLine[]
  insurer_codes: string[]
  threshold: string
  rate: number | undefined
}

export interface PlanDraft {
  name: string
  scheme: 'differential' | 'per_level'
  settlement_mode: 'same_level' | 'cross_level'
  promotion_bearer: Schemas['PromotionBearerEnum']
  /** 按固定比例逐级分担: percent per level, the seller first */
  promotion_shares: (number | undefined)[]
  rules: RuleDraft[]
  volume_tiers: VolumeDraft[]
}

export function blankRule(line: CommissionLine = 'commercial', distance = 0): RuleDraft {
  return { line, insurer: '', tier: '', distance, rate_kind: 'percent', rate: undefined, amount: '', cap: '', valid: null }
}

export function blankPlan(): PlanDraft {
  return {
    name: '',
    scheme: 'differential',
    settlement_mode: 'same_level',
    promotion_bearer: 'tenant',
    promotion_shares: [],
    rules: [blankRule()],
    volume_tiers: [],
  }
}

export function blankVolume(): VolumeDraft {
  return { lines: ['commercial'], insurer_codes: [], threshold: '', rate: undefined }
}

/** The shares typed so far, added up (to show "合计 100%"). */
export function sharesTotal(shares: (number | undefined)[]): number {
  return Math.round(shares.reduce<number>((sum, s) => sum + (s ?? 0), 0) * 100) / 100
}

export function planDraftOf(p: PlanDetail): PlanDraft {
  return {
    name: p.name,
    scheme: p.scheme,
    settlement_mode: p.settlement_mode,
    promotion_bearer: p.promotion_bearer ?? 'tenant',
    promotion_shares: (p.promotion_shares ?? []).map(Number),
    rules: p.rules.map((r) => ({
      line: r.line,
      insurer: r.insurer ?? '',
      tier: r.referrer ? REFERRER : (r.tier ?? ''),
      distance: r.distance ?? 0,
      rate_kind: r.rate_kind,
      rate: r.rate_kind === 'percent' ? ratePercent(r.rate) : undefined,
      amount: r.rate_kind === 'fixed' ? (r.amount ?? '') : '',
      cap: r.cap ?? '',
      valid: r.valid_from || r.valid_to ? [r.valid_from ?? '', r.valid_to ?? ''] : null,
    })),
    volume_tiers: p.volume_tiers.map((t) => ({
      lines: [...t.lines],
      insurer_codes: [...(t.insurer_codes ?? [])],
      threshold: t.threshold,
      rate: ratePercent(t.rate),
    })),
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
    promotion_shares: d.promotion_bearer === 'shares' ? d.promotion_shares.map((s) => decimalString(s ?? 0)) : [],
    rules: d.rules.map((r) => ({
      line: r.line,
      insurer: r.insurer || null,
      tier: differential && typeof r.tier === 'number' ? r.tier : null,
      distance: differential ? null : r.distance,
      referrer: differential && r.tier === REFERRER,
      rate_kind: r.rate_kind,
      rate: r.rate_kind === 'percent' ? (r.rate === undefined || r.rate === null ? null : percentRate(r.rate)) : null,
      amount: r.rate_kind === 'fixed' ? r.amount.trim() || null : null,
      cap: r.cap.trim() || null,
      valid_from: r.valid?.[0] || null,
      valid_to: r.valid?.[1] || null,
    })),
    volume_tiers: d.volume_tiers.map((t) => ({
      lines: t.lines,
      insurer_codes: t.insurer_codes,
      threshold: t.threshold.trim(),
      rate: percentRate(t.rate ?? 0),
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
