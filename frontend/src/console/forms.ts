import { ApiError, type Schemas } from '@shared/api'
import type { Session } from '@shared/session'

/** A failed call's message, for an alert or a toast. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * A refusal's message for a toast or an alert, given the fields the form shows next to their boxes: a
 * 400's generic "输入有误，请检查标出的字段" is replaced by the messages of the fields the page does not
 * display (the month of a close, a policy's dates when the form names them otherwise …), so the user
 * reads the reason instead of looking for a marked field that is not there.
 */
export function refusalMessage(e: unknown, shown: readonly string[] = []): string {
  if (e instanceof ApiError && e.status === 400) {
    const hidden = Object.entries(e.fields)
      .filter(([name]) => !shown.includes(name))
      .flatMap(([, messages]) => messages)
    if (hidden.length) return [...new Set(hidden)].join('；')
  }
  return errorMessage(e)
}

/**
 * The server's first message per field, for the `:error` of the form items. `prefix` picks one nested
 * part of a body ("vehicles.0." for the first car of a new customer) and strips it from the names.
 */
export function fieldErrors(e: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(e instanceof ApiError)) return out
  for (const name of Object.keys(e.fields)) {
    if (name.startsWith(prefix)) out[name.slice(prefix.length)] = e.fieldError(name)
  }
  return out
}

export { ENERGIES, VEHICLE_USES } from '@shared/vehicles'

/** The drawer's tabs: the four actions of a customer row (查看 / 跟踪记录 / 修改 / 车辆信息). */
export type CustomerTab = 'view' | 'follow-ups' | 'edit' | 'vehicles' | 'service-orders'

/** A customer as typed into the form; `promoter` is a distributor id, '' for none. */
export interface CustomerDraft {
  name: string
  mobile: string
  id_number: string
  birth_date: string | null
  licence_expires_on: string | null
  registered_on: string | null
  promoter: number | ''
  note: string
  owner_reminders_opt_in: boolean
}

export function blankCustomer(): CustomerDraft {
  return {
    name: '',
    mobile: '',
    id_number: '',
    birth_date: null,
    licence_expires_on: null,
    registered_on: null,
    promoter: '',
    note: '',
    owner_reminders_opt_in: true,
  }
}

/** 修改 starts from the saved customer; the 身份证 box starts empty (the server only shows it masked). */
export function customerDraftOf(c: Schemas['CustomerDetail']): CustomerDraft {
  return {
    name: c.name,
    mobile: c.mobile,
    id_number: '',
    birth_date: c.birth_date ?? null,
    licence_expires_on: c.licence_expires_on ?? null,
    registered_on: c.registered_on,
    promoter: c.promoter?.id ?? '',
    note: c.note ?? '',
    owner_reminders_opt_in: c.owner_reminders_opt_in ?? true,
  }
}

/**
 * The request body for a customer. An empty 身份证 box is left out (on 修改 an empty box means "keep
 * it"); the promoter is only sent by an administrator (an agent's customers are the agent's own); an
 * empty registration date lets the server use today.
 */
export function customerBody(d: CustomerDraft, opts: { pickPromoter: boolean }): Schemas['CustomerInputRequest'] {
  const body: Schemas['CustomerInputRequest'] = {
    name: d.name.trim(),
    mobile: d.mobile.trim(),
    birth_date: d.birth_date || null,
    licence_expires_on: d.licence_expires_on || null,
    note: d.note,
    owner_reminders_opt_in: d.owner_reminders_opt_in,
  }
  if (d.id_number.trim()) body.id_number = d.id_number.trim()
  if (d.registered_on) body.registered_on = d.registered_on
  if (opts.pickPromoter) body.promoter = d.promoter === '' ? null : d.promoter
  return body
}

/** A car as typed into the form: every box is text ('' = not filled), dates are YYYY-MM-DD or null. */
export interface VehicleDraft {
  plate: string
  vin: string
  engine_no: string
  brand_model: string
  seats: string
  displacement: string
  energy: string
  use: string
  first_registered_on: string | null
  purchase_date: string | null
  purchase_price: string
  mileage_km: string
  ctpl_expires_on: string | null
  commercial_expires_on: string | null
  maintenance_every_km: string
  maintenance_every_months: string
  last_maintained_on: string | null
  last_maintained_km: string
}

const INTEGERS = ['seats', 'mileage_km', 'maintenance_every_km', 'maintenance_every_months', 'last_maintained_km'] as const
const DECIMALS = ['displacement', 'purchase_price'] as const
const DATES = ['first_registered_on', 'purchase_date', 'ctpl_expires_on', 'commercial_expires_on', 'last_maintained_on'] as const

export function blankVehicle(): VehicleDraft {
  return {
    plate: '',
    vin: '',
    engine_no: '',
    brand_model: '',
    seats: '',
    displacement: '',
    energy: '',
    use: 'family',
    first_registered_on: null,
    purchase_date: null,
    purchase_price: '',
    mileage_km: '',
    ctpl_expires_on: null,
    commercial_expires_on: null,
    maintenance_every_km: '',
    maintenance_every_months: '',
    last_maintained_on: null,
    last_maintained_km: '',
  }
}

export function vehicleDraftOf(v: Schemas['Vehicle']): VehicleDraft {
  const text = (x: number | string | null | undefined) => (x === null || x === undefined ? '' : String(x))
  return {
    plate: v.plate,
    vin: v.vin ?? '',
    engine_no: v.engine_no ?? '',
    brand_model: v.brand_model ?? '',
    seats: text(v.seats),
    displacement: text(v.displacement),
    energy: v.energy ?? '',
    use: v.use ?? '',
    first_registered_on: v.first_registered_on ?? null,
    purchase_date: v.purchase_date ?? null,
    purchase_price: text(v.purchase_price),
    mileage_km: text(v.mileage_km),
    ctpl_expires_on: v.ctpl_expires_on ?? null,
    commercial_expires_on: v.commercial_expires_on ?? null,
    maintenance_every_km: text(v.maintenance_every_km),
    maintenance_every_months: text(v.maintenance_every_months),
    last_maintained_on: v.last_maintained_on ?? null,
    last_maintained_km: text(v.last_maintained_km),
  }
}

/** Whether anything of the car was filled in (the first car of a new customer is optional). */
export function vehicleTouched(d: VehicleDraft): boolean {
  const defaults = blankVehicle()
  return (Object.keys(d) as (keyof VehicleDraft)[]).some((k) => (d[k] ?? '') !== (defaults[k] ?? ''))
}

/**
 * The request body for a car. Empty boxes go as null (or are left out, for energy and use: the server
 * then guesses the energy from the plate). Numbers the user mistyped are sent as typed, so that the
 * server's message appears next to the box instead of the value silently vanishing.
 */
export function vehicleBody(d: VehicleDraft): Schemas['VehicleInputRequest'] {
  const body: Record<string, unknown> = {
    plate: d.plate.trim(),
    vin: d.vin.trim(),
    engine_no: d.engine_no.trim(),
    brand_model: d.brand_model.trim(),
  }
  for (const k of INTEGERS) {
    const raw = d[k].trim()
    body[k] = raw === '' ? null : /^\d+$/.test(raw) ? Number(raw) : raw
  }
  for (const k of DECIMALS) body[k] = d[k].trim() || null
  for (const k of DATES) body[k] = d[k] || null
  if (d.energy) body.energy = d.energy
  if (d.use) body.use = d.use
  return body as Schemas['VehicleInputRequest']
}

export type ImportRowError = Schemas['ImportRowError']

function authHeaders(session: Session): Record<string, string> {
  const token = session.tokens.get()
  return token ? { Authorization: `Bearer ${token}` } : {}
}

/**
 * Upload an .xlsx to an import endpoint. All or nothing: either every row was taken (`created`), or
 * nothing was and `errors` says what is wrong with which row; `message` is for any other refusal.
 */
export async function uploadXlsx(
  session: Session,
  path: string,
  file: File,
): Promise<{ created: number; errors: ImportRowError[]; message: string }> {
  const body = new FormData()
  body.append('file', file)
  const response = await fetch(path, { method: 'POST', body, headers: authHeaders(session) })
  const result = await response.json().catch(() => ({}))
  if (response.ok) return { created: result.created ?? 0, errors: [], message: '' }
  return { created: 0, errors: result.errors ?? [], message: result.message ?? `导入失败（${response.status}）` }
}
