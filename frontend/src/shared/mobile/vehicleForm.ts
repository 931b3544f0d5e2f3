import type { Schemas } from '../api'

export type VehicleInput = Schemas['VehicleInputRequest']

export const VEHICLE_USES: { value: string; label: string }[] = [
  { value: 'family', label: '家庭自用汽车' },
  { value: 'enterprise', label: '企业非营业客车' },
  { value: 'government', label: '机关非营业客车' },
  { value: 'taxi_rental', label: '营业出租租赁' },
  { value: 'truck', label: '非营业货车' },
  { value: 'truck_operating', label: '营业货车' },
  { value: 'motorcycle', label: '摩托车' },
]

/** The form's text values as the API wants them: blanks left out, numbers as numbers. */
export function vehicleBody(form: Record<string, string>): VehicleInput {
  const body: Record<string, string | number> = { plate: form.plate.trim() }
  for (const key of ['vin', 'engine_no', 'brand_model', 'use', 'displacement', 'purchase_price']) {
    if (form[key]?.trim()) body[key] = form[key].trim()
  }
  for (const key of ['first_registered_on', 'ctpl_expires_on', 'commercial_expires_on', 'last_maintained_on']) {
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
    purchase_price: '',
    mileage_km: '',
    ctpl_expires_on: '',
    commercial_expires_on: '',
    last_maintained_on: '',
    last_maintained_km: '',
  }
}
