import type { Schemas } from '@shared/api'
import { defaultCoverages } from '@shared/quotes'
import { emptyQuoteForm, type QuoteForm, ratingBody, type Vehicle } from '../../quote-mobile/quoteForm'

/** 快速报价 in the console: the form, the package and the bodies are the phone's (quote-mobile/quoteForm);
 * what is added here is the usual package as the form's boxes, and who the quote is for. */

export type QuoteBody = Schemas['QuoteInputRequest']

/** Who a new quote is for: a stored car (its customer is known), a known customer's new car, or a new customer. */
export type QuoteFor =
  | { kind: 'vehicle'; vehicle: Vehicle }
  | { kind: 'customer'; customerId: number }
  | { kind: 'new'; name: string; mobile: string }

interface CoverageLine {
  code: string
  limit?: string
  seats?: number
  limit_per_seat?: string
}

type Package = ReturnType<typeof defaultCoverages>

/** Set the coverage boxes of the form from a package (defaultCoverages(): the usual renewal). */
export function applyCoverages(f: QuoteForm, pkg: Package): void {
  const lines = pkg.commercial as CoverageLine[]
  const line = (code: string) => lines.find((l) => l.code === code)
  f.ctpl = pkg.ctpl
  f.vehicle_tax = pkg.vehicle_tax
  f.own_damage = !!line('own_damage')
  const thirdParty = line('third_party')
  f.third_party = !!thirdParty
  if (thirdParty?.limit) f.third_party_limit = thirdParty.limit
  const driver = line('driver_liability')
  f.driver = !!driver
  if (driver?.limit_per_seat) f.driver_limit = driver.limit_per_seat
  const passenger = line('passenger_liability')
  f.passenger = !!passenger
  if (passenger?.seats) f.passenger_seats = passenger.seats
  if (passenger?.limit_per_seat) f.passenger_limit = passenger.limit_per_seat
  const scratch = line('scratch')
  f.scratch = !!scratch
  if (scratch?.limit) f.scratch_limit = scratch.limit
  f.holiday_double_limit = !!line('holiday_double_limit')
  f.roadside_assistance = !!line('roadside_assistance')
}

/** An empty form with the usual package for a car of `seats` seats. */
export function quickQuoteForm(seats = 5): QuoteForm {
  const f = emptyQuoteForm()
  applyCoverages(f, defaultCoverages(seats))
  return f
}

/** POST /quotes/: the rating body plus who it is for (vehicle_id, customer_id + vehicle, or customer + vehicle). */
export function quoteBody(f: QuoteForm, target: QuoteFor): QuoteBody {
  const body: QuoteBody = ratingBody(f, target.kind === 'vehicle' ? target.vehicle : null)
  if (target.kind === 'customer') body.customer_id = target.customerId
  if (target.kind === 'new') body.customer = { name: target.name.trim(), mobile: target.mobile.trim() }
  return body
}

/** The index of a commercial line in the body ratingBody() built, for the server's "coverages.commercial.N…" errors. */
export function commercialIndex(lines: { code: string }[], code: string): number {
  return lines.findIndex((l) => l.code === code)
}
