import type { Schemas } from '@shared/api'

export type IncomeSummary = Schemas['IncomeSummary']
export type IncomeMonth = Schemas['IncomeMonth']
export type Entry = Schemas['Entry']

/** Entry kinds, as the agent reads them on a month's card. */
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

/** A month's state: open, being settled, settled and waiting for payment, or paid. */
export function monthState(m: IncomeMonth): { label: string; type: 'warning' | 'primary' | 'success' } {
  if (m.statement_status === 'paid') return { label: '已结算', type: 'success' }
  if (m.statement_id) return { label: '待支付', type: 'primary' }
  if (m.period_status === 'closed' || m.period_status === 'closing') return { label: '结算中', type: 'primary' }
  return { label: '待结算', type: 'warning' }
}

/** "佣金 ¥120.00 · 通算 ¥30.00" in a fixed order. */
export function kindTotals(totals: Record<string, string>, money: (v: string) => string): string[] {
  return Object.keys(KIND_LABELS)
    .filter((k) => totals[k] !== undefined)
    .map((k) => `${KIND_LABELS[k]} ${money(totals[k])}`)
}

/** The shared download helper (a refusal throws the server's message). */
export { downloadFile } from '@shared/download'
