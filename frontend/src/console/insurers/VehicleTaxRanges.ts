/** 车船税 for passenger cars (车船税法 税目税额表): per band of engine displacement, the yearly amount a
 * province fixes must lie inside the legal range, both ends allowed. Same order as the server's bands. */
import { decimalString } from '@shared/format'

export const VEHICLE_TAX_BANDS = ['≤1.0L', '1.0–1.6L', '1.6–2.0L', '2.0–2.5L', '2.5–3.0L', '3.0–4.0L', '>4.0L']

export const VEHICLE_TAX_LEGAL_RANGES: readonly [number, number][] = [
  [60, 360],
  [300, 540],
  [360, 660],
  [660, 1200],
  [1200, 2400],
  [2400, 3600],
  [3600, 5400],
]

/** "60–360 元" */
export function legalRangeLabel(band: number): string {
  const [low, high] = VEHICLE_TAX_LEGAL_RANGES[band] ?? [0, 0]
  return `${low}–${high} 元`
}

/** Whether a typed amount is a number outside its band's range (empty or not-a-number: not judged here). */
export function outsideLegalRange(band: number, typed: string): boolean {
  const raw = typed.trim()
  if (!raw || Number.isNaN(Number(raw))) return false
  const [low, high] = VEHICLE_TAX_LEGAL_RANGES[band] ?? [-Infinity, Infinity]
  const n = Number(raw)
  return n < low || n > high
}

/** "180.00" -> "180", "4500.50" -> "4500.5": amounts as people read them. */
export function taxAmount(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  return String(+decimalString(value))
}
