import type { Schemas } from '@shared/api'
import type { QuoteDetail, QuoteOption } from '@shared/quotes'
import { COVERAGE_NAMES, limitLabel } from '@shared/quotes'
import { ROLE_LABELS } from '../context'

/**
 * An option's `breakdown` as the server stores it (QuoteRating.to_dict): every factor that made the
 * price, so the drawer can explain it line by line. The types come from the schema
 * (api/v1/quotes/breakdown.py); decimals are strings, parts not quoted are null.
 */
export type Breakdown = Schemas['QuoteBreakdown']
export type CtplBreakdown = Schemas['CtplBreakdown']
export type VehicleTaxBreakdown = Schemas['VehicleTaxBreakdown']
export type ActualValueBreakdown = Schemas['ActualValueBreakdown']
export type CommercialLineBreakdown = Schemas['CommercialLineBreakdown']

export function breakdownOf(option: QuoteOption): Breakdown {
  return option.breakdown ?? {}
}

/** 交强险 history classes (2020 reform), as on the quote form. */
export const CTPL_CLASS_LABELS: Record<string, string> = {
  new: '新车 / 无记录（不浮动）',
  A1: 'A1 上年无赔款',
  A2: 'A2 连续2年无赔款',
  A3: 'A3 连续3年及以上无赔款',
  A4: 'A4 上年1次有责非死亡事故',
  A5: 'A5 上年2次及以上有责事故',
  A6: 'A6 上年有责死亡事故',
}

/** The sum insured of a 商业险 line: "100万", "1万 × 4座", or "实际价值". */
export function lineCover(line: CommercialLineBreakdown): string {
  if (line.seats && line.limit_per_seat) return `${limitLabel(line.limit_per_seat)} × ${line.seats}座`
  if (line.limit) return limitLabel(line.limit)
  return '—'
}

/** The chosen coverages in words: "交强险、车船税、车损险、三者险 100万 …". */
export function coverageSummary(quote: QuoteDetail): string {
  const c: Partial<QuoteDetail['coverages']> = quote.coverages ?? {}
  const parts: string[] = []
  if (c.ctpl) parts.push('交强险')
  if (c.vehicle_tax) parts.push('车船税')
  for (const item of c.commercial ?? []) {
    const name = COVERAGE_NAMES[item.code] ?? item.code
    if (item.seats && item.limit_per_seat) parts.push(`${name} ${limitLabel(item.limit_per_seat)}×${item.seats}座`)
    else if (item.limit) parts.push(`${name} ${limitLabel(item.limit)}`)
    else parts.push(name)
  }
  return parts.join('、') || '—'
}

/** "2026-03-02 10:01:59" in the browser's time zone, like the original list. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export function roleLabel(role: string | null | undefined): string {
  return role ? (ROLE_LABELS[role] ?? role) : ''
}

/** A factor typed into an input-number, as the API's 4-place decimal string. */
export function factorText(value: number): string {
  return value.toFixed(4)
}

/** A rate "0.0350" as the number 3.5 for a percent box, and back. */
export function ratePercent(rate: string | null | undefined): number {
  return rate === null || rate === undefined || rate === '' ? 0 : Math.round(Number(rate) * 1000000) / 10000
}

export function percentRate(pct: number | null | undefined): string {
  return (Math.round((pct ?? 0) * 100) / 10000).toFixed(4)
}
