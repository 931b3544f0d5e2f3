/** The one way money and dates are written in every app (agent app, owner H5, console):
 * money as "¥2,026.17" (two decimals, thousands separators, "−¥16.40" below zero, "—" for none);
 * dates as "2026-03-01" and times as "2026-03-01 10:20" in the viewer's clock.
 * Amounts come from the API as decimal strings; they are rounded half-up to the cent on their
 * digits, never through a float. This file is the only place where `toFixed(2)` may appear in
 * the front end (money.test.ts checks every .vue file). */

const MINUS = '\u2212'
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/

/** A decimal value as [negative, whole digits, two cent digits], rounded half-up (away from zero). */
function cents(value: string | number): [boolean, string, string] | null {
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim()
  if (/e/i.test(text)) text = Number(text).toFixed(10) // 1e-7 and the like: never money, but written sanely
  const m = DECIMAL.exec(text)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null
  const negative = m[1] === '-'
  const whole = (m[2] || '0').replace(/^0+(?=\d)/, '')
  const frac = (m[3] ?? '').padEnd(3, '0')
  let total = BigInt(whole) * 100n + BigInt(frac.slice(0, 2))
  if (Number(frac[2]) >= 5) total += 1n
  const units = (total / 100n).toString()
  const rest = (total % 100n).toString().padStart(2, '0')
  return [negative && total !== 0n, units, rest]
}

function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** "¥2,026.17", "−¥16.40", "¥0.00"; "—" for null, undefined, '' or something that is not a number. */
export function money(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const c = cents(value)
  if (!c) return '—'
  const [negative, units, rest] = c
  return `${negative ? MINUS : ''}¥${grouped(units)}.${rest}`
}

/** "2,026.17" without the sign of the currency (for Vant's price fields that print their own ¥). */
export function amount(value: string | number | null | undefined): string {
  const text = money(value)
  return text === '—' ? text : text.replace('¥', '')
}

/** A decimal amount in whole cents, rounded half-up on its digits (never through a float); 0 for
 * something that is not a number. Sums and differences of amounts are taken in cents, then written
 * back with `fromCents`. */
export function toCents(value: string | number): number {
  const c = cents(value)
  if (!c) return 0
  const [negative, units, rest] = c
  const n = Number(units) * 100 + Number(rest)
  return negative ? -n : n
}

/** Whole cents as a decimal string ("-16.40" for -1640), for request bodies and sums. */
export function fromCents(n: number): string {
  const abs = Math.abs(Math.trunc(n))
  return `${n < 0 && abs !== 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** A number as a decimal string with `places` digits, for request bodies ("0.85" for a factor). */
export function decimalString(value: string | number, places = 2): string {
  return Number(value).toFixed(places)
}

const pad = (n: number) => String(n).padStart(2, '0')

function asDate(value: string | Date): Date | null {
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

/** "2026-03-01" for an API date ("2026-03-01"), a timestamp, or a Date; "—" for none. */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '—'
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const d = asDate(value)
  return d ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : '—'
}

/** "2026-03-01 10:20" in the viewer's clock for an API timestamp; "—" for none. */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '—'
  const d = asDate(value)
  return d ? `${formatDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}` : '—'
}

/** Whole days from `today` to `day` (both "YYYY-MM-DD"): 0 today, negative when past. */
export function daysUntil(day: string, today: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000)
}
