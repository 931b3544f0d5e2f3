import type { Schemas } from '../api'

export type VehicleInput = Schemas['VehicleInputRequest']

/** The form's text values as the API wants them: blanks left out, numbers as numbers. */
export function vehicleBody(form: Record<string, string>): VehicleInput {
  const body: Record<string, string | number> = { plate: form.plate.trim() }
  for (const key of ['vin', 'engine_no', 'brand_model', 'use', 'displacement', 'purchase_price']) {
    if (form[key]?.trim()) body[key] = form[key].trim()
  }
  for (const key of ['first_registered_on', 'purchase_date', 'ctpl_expires_on', 'commercial_expires_on', 'last_maintained_on']) {
    if (form[key]) body[key] = form[key]
  }
  for (const key of ['seats', 'mileage_km', 'last_maintained_km']) {
    if (form[key]?.trim()) body[key] = Number(form[key])
  }
  return body as VehicleInput
}

export function emptyVehicleForm(): Record<string, string> {
  return {
    plate: '',
    vin: '',
    engine_no: '',
    brand_model: '',
    seats: '5',
    displacement: '',
    use: 'family',
    first_registered_on: '',
    purchase_date: '',
    purchase_price: '',
    mileage_km: '',
    ctpl_expires_on: '',
    commercial_expires_on: '',
    last_maintained_on: '',
    last_maintained_km: '',
  }
}
