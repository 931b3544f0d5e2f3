import { describe, expect, it } from 'vitest'
import {
  breakdownOf,
  ctplFormula,
  emptyQuoteForm,
  errorAt,
  HISTORY_SOURCES,
  lineCover,
  lineFormula,
  provinceOfPlate,
  purchaseDateMatters,
  ratedAsNew,
  ratingBody,
  statusTag,
  taxFormula,
  type Vehicle,
  vehicleValues,
} from './quoteForm'

const car: Vehicle = {
  id: 7,
  customer: 3,
  plate: '粤B2088Z',
  vin: 'LSVAU218XN2183294',
  seats: 5,
  displacement: '2.00',
  energy: 'fuel',
  energy_label: '燃油',
  use: 'family',
  use_label: '家庭自用汽车',
  first_registered_on: '2022-03-15',
  purchase_price: '215000.00',
}

describe('quick quote form', () => {
  it('defaults the region from the plate', () => {
    expect(provinceOfPlate('粤B2088Z')).toBe('广东')
    expect(provinceOfPlate('京A12345')).toBe('北京')
    expect(provinceOfPlate('B2088Z')).toBe('')
  })

  it('sends a chosen car by id, with only what was typed over its record', () => {
    const form = emptyQuoteForm()
    form.vehicle = { plate: '粤B2088Z', vin: car.vin!, use: 'family', seats: '5', displacement: '2.0', energy: 'fuel',
      purchase_price: '215000', first_registered_on: '2022-03-15', purchase_date: '' } // prettier-ignore
    form.province = '广东'
    form.own_damage = false
    form.driver = false
    form.passenger = false
    expect(ratingBody(form, car)).toEqual({
      vehicle_id: 7,
      vehicle: {},
      province: '广东',
      history: { ctpl_class: 'A1', claim_free_years: 1, claims_last_year: 0, transferred: false },
      coverages: { ctpl: true, vehicle_tax: true, commercial: [{ code: 'third_party', limit: '1000000' }] },
    })
    form.vehicle.seats = '7'
    expect(ratingBody(form, car).vehicle).toEqual({ seats: 7 })
  })

  it('sends a typed car without blanks, and no tax without 交强险', () => {
    const form = emptyQuoteForm()
    form.vehicle.plate = '粤a7m520'
    form.vehicle.displacement = '1.5'
    form.ctpl = false
    form.scratch = true
    form.roadside_assistance = true
    const body = ratingBody(form)
    expect(body.vehicle).toEqual({ plate: '粤A7M520', use: 'family', seats: 5, displacement: '1.5', energy: 'fuel' })
    expect(body.vehicle_id).toBeUndefined()
    expect(body.coverages?.vehicle_tax).toBe(false)
    expect(body.coverages?.commercial?.map((c) => c.code)).toEqual([
      'own_damage',
      'third_party',
      'driver_liability',
      'passenger_liability',
      'scratch',
      'roadside_assistance',
    ])
    expect(body.coverages?.commercial?.[3]).toEqual({ code: 'passenger_liability', seats: 4, limit_per_seat: '10000' })
  })

  it('says when a car will be priced as new, and sends a stated transfer of history', () => {
    const form = emptyQuoteForm()
    form.vehicle.plate = '粤B51K27'
    form.vehicle.first_registered_on = '2026-11-29'
    // a week old, no policy on record: new, whatever the (default A1) history says
    expect(ratedAsNew(form, null, '2026-12-06')).toBe(true)
    // a year old exactly: it can have a claim-free year of its own
    expect(ratedAsNew(form, null, '2027-11-29')).toBe(false)
    expect(ratedAsNew(form, null, '2027-11-28')).toBe(true)
    // a policy on its record: a renewal
    expect(ratedAsNew(form, { ...car, first_registered_on: '2026-11-29', ctpl_expires_on: '2027-11-28' }, '2026-12-06')).toBe(false)
    // not registered yet: its purchase date; nothing known: the stated history
    form.vehicle.first_registered_on = ''
    form.vehicle.purchase_date = '2026-12-01'
    expect(ratedAsNew(form, null, '2026-12-06')).toBe(true)
    form.vehicle.purchase_date = ''
    expect(ratedAsNew(form, null, '2026-12-06')).toBe(false)
    form.vehicle.first_registered_on = '2026-11-29'
    form.history_transferred = true
    expect(ratedAsNew(form, null, '2026-12-06')).toBe(false)
    expect(ratingBody(form).history).toEqual({ ctpl_class: 'A1', claim_free_years: 1, claims_last_year: 0, transferred: true })
  })

  it('takes the purchase date from the car’s record onto the form, shows it when it prorates the tax, and resends only a change', () => {
    const bought = { ...car, first_registered_on: '2026-12-01', purchase_date: '2026-11-20' }
    const form = emptyQuoteForm()
    form.vehicle = vehicleValues(bought)
    expect(form.vehicle.purchase_date).toBe('2026-11-20')
    expect(purchaseDateMatters(form.vehicle, '2026-12-06')).toBe(true)
    // the server reads the record's date: nothing to send
    expect(ratingBody(form, bought).vehicle).toEqual({})
    form.vehicle.purchase_date = '2026-10-08'
    expect(ratingBody(form, bought).vehicle).toEqual({ purchase_date: '2026-10-08' })
    // registered in an earlier year: the whole year is due, the date changes nothing
    expect(purchaseDateMatters(vehicleValues(car), '2026-12-06')).toBe(false)
    expect(purchaseDateMatters({ ...vehicleValues(car), first_registered_on: '' }, '2026-12-06')).toBe(true)
  })

  it('finds a server error by its dotted name or below it', () => {
    const errors = { 'vehicle.seats': '座位数应大于 0', 'coverages.commercial.0.limit': '不是可选限额' }
    expect(errorAt(errors, 'vehicle.seats')).toBe('座位数应大于 0')
    expect(errorAt(errors, 'coverages.commercial')).toBe('不是可选限额')
    expect(errorAt(errors, 'coverages')).toBe('不是可选限额')
    expect(errorAt(errors, 'province')).toBe('')
  })
})

describe('explaining a price', () => {
  const b = breakdownOf({
    ctpl: { use: 'family_car', band: '6座以下', base_premium: '950.00', region: '广东', floating_scheme: 5, history_class: 'A1', floating_rate: '-0.10', premium: '855.00' },
    vehicle_tax: { table_province: '广东', displacement_band: '1.6-2.0L', exempt: false, annual_tax: '420.00', tax_year: 2026, months: 12, amount: '420.00' },
    actual_value: null,
    commercial_lines: [
      { code: 'third_party', name: '第三者责任保险', limit: '1000000', seats: null, limit_per_seat: null, base_premium: '1100.00',
        ncd: '0.8', autonomous_pricing_factor: '0.8500', traffic_violation_factor: '1', premium: '748.00' },
      { code: 'driver_liability', name: '车上人员责任险（司机）', limit: null, seats: 1, limit_per_seat: '10000', base_premium: '42.00',
        ncd: '0.8', autonomous_pricing_factor: '0.8500', traffic_violation_factor: '1.1', premium: '31.42' },
    ],
  }) // prettier-ignore

  it('shows each part as base × factors = premium', () => {
    expect(ctplFormula(b.ctpl!)).toBe('950.00 × (1 − 10%) = 855.00')
    expect(taxFormula(b.vehicle_tax!)).toBe('420.00 × 12/12 = 420.00')
    expect(taxFormula({ ...b.vehicle_tax!, annual_tax: '360.00', months: 2, amount: '60.00', purchase_date: '2026-11-20' })).toBe(
      '360.00 × 2/12 = 60.00（2026-11-20 购置）',
    )
    expect(lineFormula(b.commercial_lines[0])).toBe('1100.00 × NCD 0.8 × 系数 0.85 = 748.00')
    expect(lineFormula(b.commercial_lines[1])).toBe('42.00 × NCD 0.8 × 系数 0.85 × 违法 1.1 = 31.42')
    expect(lineCover(b.commercial_lines[0])).toBe('100万')
    expect(lineCover(b.commercial_lines[1])).toBe('1座 × 1万')
  })

  it('says a surcharge is a plus and a new-energy car pays no tax', () => {
    expect(ctplFormula({ ...b.ctpl!, floating_rate: '0.30', premium: '1235.00' })).toBe('950.00 × (1 + 30%) = 1235.00')
    expect(taxFormula({ ...b.vehicle_tax!, exempt: true })).toBe('新能源车免征')
    expect(breakdownOf({}).commercial_lines).toEqual([])
    expect(breakdownOf({}).history).toBeNull()
    expect(HISTORY_SOURCES[breakdownOf({ history: { ctpl_class: 'new', claim_free_years: 0, claims_last_year: 0, source: 'new_vehicle' } }).history!.source!]).toBe(
      '新车首次投保，按新车计：交强险不浮动，商业险 NCD 1.0',
    )
  })

  it('gives every status a Vant tag type', () => {
    expect(statusTag('agent_quoted')).toBe('warning')
    expect(statusTag('platform_quoted')).toBe('default')
    expect(statusTag(undefined)).toBe('default')
  })
})
