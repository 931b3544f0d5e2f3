import type { Schemas } from '@shared/api'
import { CTPL_CLASSES, limitLabel, percent, QUOTE_STATUS } from '@shared/quotes'

/** 快速报价 on the phone, for the agent app and the owner H5: the form, the request body, the
 * server's field names, and the words that explain an option's price. */

export type RatingBody = Schemas['RatingInputRequest']
export type Vehicle = Schemas['Vehicle']

/** The plate's first character names the registering province: the default 投保地区 (the server
 * falls back to the same rule when none is sent). */
export const PLATE_PROVINCES: Record<string, string> = {
  京: '北京', 津: '天津', 冀: '河北', 晋: '山西', 蒙: '内蒙古', 辽: '辽宁', 吉: '吉林', 黑: '黑龙江',
  沪: '上海', 苏: '江苏', 浙: '浙江', 皖: '安徽', 闽: '福建', 赣: '江西', 鲁: '山东', 豫: '河南',
  鄂: '湖北', 湘: '湖南', 粤: '广东', 桂: '广西', 琼: '海南', 渝: '重庆', 川: '四川', 贵: '贵州',
  云: '云南', 藏: '西藏', 陕: '陕西', 甘: '甘肃', 青: '青海', 宁: '宁夏', 新: '新疆',
} // prettier-ignore

/** The provinces, then the 计划单列市 insurers price as regions of their own. */
export const REGIONS = [...Object.values(PLATE_PROVINCES), '深圳', '大连', '青岛', '宁波', '厦门']

export function provinceOfPlate(plate: string): string {
  return PLATE_PROVINCES[plate.trim().charAt(0)] ?? ''
}

/** What the vehicle picker hands back: a stored car, or none (typed in) for a known customer or a new one. */
export interface Picked {
  vehicle: Vehicle | null
  customer: { id: number; name: string } | null
}

export const SEAT_LIMITS = ['10000', '20000', '30000', '50000', '100000', '200000']
export const SCRATCH_LIMITS = ['2000', '5000', '10000', '20000']

export const VEHICLE_KEYS = [
  'plate',
  'vin',
  'use',
  'seats',
  'displacement',
  'energy',
  'purchase_price',
  'first_registered_on',
  'purchase_date',
] as const

export interface QuoteForm {
  vehicle: Record<(typeof VEHICLE_KEYS)[number], string>
  province: string
  ctpl_class: string
  claim_free_years: number
  claims_last_year: number
  /** 承继出险记录: the stated history carries over to this car (a new car is otherwise rated as new) */
  history_transferred: boolean
  ctpl: boolean
  vehicle_tax: boolean
  own_damage: boolean
  third_party: boolean
  third_party_limit: string
  driver: boolean
  driver_limit: string
  passenger: boolean
  passenger_seats: number
  passenger_limit: string
  scratch: boolean
  scratch_limit: string
  holiday_double_limit: boolean
  roadside_assistance: boolean
}

export function emptyVehicle(): QuoteForm['vehicle'] {
  return {
    plate: '',
    vin: '',
    use: 'family',
    seats: '5',
    displacement: '',
    energy: 'fuel',
    purchase_price: '',
    first_registered_on: '',
    purchase_date: '',
  }
}

/** The usual renewal: one claim-free year, 交强险 + 车船税, 车损险, 三者险 100万, 司机 and passengers 1万. */
export function emptyQuoteForm(): QuoteForm {
  return {
    vehicle: emptyVehicle(),
    province: '',
    ctpl_class: 'A1',
    claim_free_years: 1,
    claims_last_year: 0,
    history_transferred: false,
    ctpl: true,
    vehicle_tax: true,
    own_damage: true,
    third_party: true,
    third_party_limit: '1000000',
    driver: true,
    driver_limit: '10000',
    passenger: true,
    passenger_seats: 4,
    passenger_limit: '10000',
    scratch: false,
    scratch_limit: '2000',
    holiday_double_limit: false,
    roadside_assistance: false,
  }
}

/** A stored vehicle as the form's text values (what rating reads of it). */
export function vehicleValues(v: Vehicle): QuoteForm['vehicle'] {
  return {
    plate: v.plate,
    vin: v.vin ?? '',
    use: v.use ?? 'family',
    seats: v.seats != null ? String(v.seats) : '',
    displacement: v.displacement ?? '',
    energy: v.energy ?? 'fuel',
    purchase_price: v.purchase_price ?? '',
    first_registered_on: v.first_registered_on ?? '',
    purchase_date: v.purchase_date ?? '',
  }
}

function sameValue(a: string, b: string): boolean {
  if (a === b) return true
  return a !== '' && b !== '' && !Number.isNaN(Number(a)) && Number(a) === Number(b)
}

/** What the user typed, as the API wants it. Over a chosen vehicle only what differs from its
 * record is sent: typed details win over the record on the server. */
export function typedVehicle(values: QuoteForm['vehicle'], record?: QuoteForm['vehicle']): NonNullable<RatingBody['vehicle']> {
  const out: Record<string, string | number> = {}
  for (const key of VEHICLE_KEYS) {
    const value = values[key].trim()
    if (!value) continue
    if (record && sameValue(value, record[key])) continue
    out[key] = key === 'seats' ? Number(value) : key === 'plate' || key === 'vin' ? value.toUpperCase() : value
  }
  return out
}

export function commercialChoices(f: QuoteForm): NonNullable<NonNullable<RatingBody['coverages']>['commercial']> {
  const lines: NonNullable<NonNullable<RatingBody['coverages']>['commercial']> = []
  if (f.own_damage) lines.push({ code: 'own_damage' })
  if (f.third_party) lines.push({ code: 'third_party', limit: f.third_party_limit })
  if (f.driver) lines.push({ code: 'driver_liability', seats: 1, limit_per_seat: f.driver_limit })
  if (f.passenger) lines.push({ code: 'passenger_liability', seats: f.passenger_seats, limit_per_seat: f.passenger_limit })
  if (f.scratch) lines.push({ code: 'scratch', limit: f.scratch_limit })
  if (f.holiday_double_limit) lines.push({ code: 'holiday_double_limit' })
  if (f.roadside_assistance) lines.push({ code: 'roadside_assistance' })
  return lines
}

/** POST /rating/ (and the pricing part of POST /quotes/). */
export function ratingBody(f: QuoteForm, chosen?: Vehicle | null): RatingBody {
  const body: RatingBody = {
    vehicle: typedVehicle(f.vehicle, chosen ? vehicleValues(chosen) : undefined),
    history: {
      ctpl_class: f.ctpl_class,
      claim_free_years: f.claim_free_years,
      claims_last_year: f.claims_last_year,
      transferred: f.history_transferred,
    },
    coverages: { ctpl: f.ctpl, vehicle_tax: f.ctpl && f.vehicle_tax, commercial: commercialChoices(f) },
  }
  if (chosen) body.vehicle_id = chosen.id
  if (f.province) body.province = f.province
  return body
}

/** The day `iso` falls on a year later ("2025-02-29" is never asked: 29 Feb -> 28 Feb). */
function yearAfter(iso: string): string {
  const [y, m, d] = iso.split('-')
  const day = m === '02' && d === '29' ? '28' : d
  return `${Number(y) + 1}-${m}-${day}`
}

/** Whether the server will rate this car as new whatever history is stated (quotes.rating.history_for_rating):
 * no earlier policy (no expiry date on its record) and less than a year since its first registration (else its
 * purchase), unless the user states that a history carries over. `today` is "YYYY-MM-DD". */
export function ratedAsNew(f: QuoteForm, chosen: Vehicle | null | undefined, today: string): boolean {
  if (f.history_transferred) return false
  if (chosen?.ctpl_expires_on || chosen?.commercial_expires_on) return false
  const since = f.vehicle.first_registered_on.trim() || f.vehicle.purchase_date.trim()
  return !!since && yearAfter(since) > today
}

/** The local date as "YYYY-MM-DD". */
export function localToday(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/** Where the history a price used came from, in words (the breakdown's `history.source`). */
export const HISTORY_SOURCES: Record<string, string> = {
  new_vehicle: '新车首次投保，按新车计：交强险不浮动，商业险 NCD 1.0',
  transferred: '承继出险记录（按所填记录计）',
  stated: '按所填出险记录计',
}

export const NEW_CAR_NOTICE =
  '这辆车未满一年且没有保单记录，按新车报价：交强险不浮动，商业险 NCD 1.0。如承继原车出险记录（换车）或已在他处投保，请打开「承继出险记录」。'

/** A server error by its dotted name ("vehicle.seats"), or the first one below it
 * ("coverages.commercial" finds "coverages.commercial.0.limit"). */
export function errorAt(errors: Record<string, string>, name: string): string {
  if (errors[name]) return errors[name]
  const below = Object.keys(errors).find((k) => k.startsWith(`${name}.`))
  return below ? errors[below] : ''
}

// ---- explaining a price ------------------------------------------------------------------------

// The breakdown's types come from the schema (api/v1/quotes/breakdown.py).
export type CtplBreakdown = Schemas['CtplBreakdown']
export type VehicleTaxBreakdown = Schemas['VehicleTaxBreakdown']
export type ActualValueBreakdown = Schemas['ActualValueBreakdown']
export type CommercialLineBreakdown = Schemas['CommercialLineBreakdown']
export type HistoryBreakdown = Schemas['HistoryBreakdown']

/** The parts a page reads, each present: null (or no lines) where the option has none. */
export interface Breakdown {
  history: HistoryBreakdown | null
  ctpl: CtplBreakdown | null
  vehicle_tax: VehicleTaxBreakdown | null
  actual_value: ActualValueBreakdown | null
  commercial_lines: CommercialLineBreakdown[]
}

/** The option's stored breakdown (JSON on the API), typed; empty for an unavailable option. */
export function breakdownOf(raw: Schemas['QuoteBreakdown'] | null | undefined): Breakdown {
  const b = raw ?? {}
  return {
    history: b.history ?? null,
    ctpl: b.ctpl ?? null,
    vehicle_tax: b.vehicle_tax ?? null,
    actual_value: b.actual_value ?? null,
    commercial_lines: b.commercial_lines ?? [],
  }
}

const money = (v: string | number) => Number(v).toFixed(2)
/** Factors as insurers print them: 0.8500 -> "0.85", 1 -> "1". */
export const factor = (v: string | number) => String(+Number(v).toFixed(4))

/** "950.00 × (1 − 10%) = 855.00" */
export function ctplFormula(c: CtplBreakdown): string {
  const rate = Number(c.floating_rate)
  const sign = rate < 0 ? '−' : '+'
  return `${money(c.base_premium)} × (1 ${sign} ${percent(Math.abs(rate))}) = ${money(c.premium)}`
}

export function ctplClassLabel(code: string): string {
  return CTPL_CLASSES.find((c) => c.value === code)?.label ?? code
}

/** "420.00 × 12/12 = 420.00", and the purchase date when it was used: "360.00 × 2/12 = 60.00（2026-11-20 购置）" */
export function taxFormula(t: VehicleTaxBreakdown): string {
  if (t.exempt) return '新能源车免征'
  const bought = t.purchase_date ? `（${t.purchase_date} 购置）` : ''
  return `${money(t.annual_tax)} × ${t.months}/12 = ${money(t.amount)}${bought}`
}

/** Whether the purchase date changes this car's 车船税: registered this year, not registered, or bought this year. */
export function purchaseDateMatters(v: QuoteForm['vehicle'], today: string): boolean {
  const year = today.slice(0, 4)
  const registered = v.first_registered_on.trim()
  return !registered || registered.slice(0, 4) >= year || v.purchase_date.trim().slice(0, 4) >= year
}

/** "100万", "1座 × 1万", "2000元": what was insured on a commercial line. */
export function lineCover(l: CommercialLineBreakdown): string {
  if (l.seats != null && l.limit_per_seat != null) return `${l.seats}座 × ${limitLabel(l.limit_per_seat)}`
  if (l.limit != null) return limitLabel(l.limit)
  return ''
}

/** "1100.00 × NCD 0.8 × 系数 0.85 = 748.00" */
export function lineFormula(l: CommercialLineBreakdown): string {
  const violation =
    l.traffic_violation_factor && Number(l.traffic_violation_factor) !== 1 ? ` × 违法 ${factor(l.traffic_violation_factor)}` : ''
  return `${money(l.base_premium)} × NCD ${factor(l.ncd)} × 系数 ${factor(l.autonomous_pricing_factor)}${violation} = ${money(l.premium)}`
}

/** A status's Vant tag type (the shared table speaks Element Plus, whose grey is "info"). */
export function statusTag(status: string | undefined): 'default' | 'primary' | 'success' | 'warning' | 'danger' {
  const type = QUOTE_STATUS[status ?? '']?.type ?? 'info'
  return type === 'info' ? 'default' : type
}

export const ROLE_LABELS: Record<string, string> = {
  owner: '车主',
  agent: '代理人',
  tenant_admin: '管理员',
  finance: '财务',
  system: '系统',
}

/** "2026-03-01T10:20:30+08:00" -> "2026-03-01 10:20" */
export function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ')
}
