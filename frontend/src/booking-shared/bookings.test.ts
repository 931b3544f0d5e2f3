import { describe, expect, it } from 'vitest'
import { copyDayToWeek, distanceText, groupBySlot, isoDay, nextDays, qty, templatesByWeekday, weekToTemplates } from './bookings'

describe('booking helpers', () => {
  it('lists the coming days from today with local dates and weekday names', () => {
    // 2026-11-30 is a Monday
    const days = nextDays(new Date(2026, 10, 30, 23, 30), 3)
    expect(days).toEqual([
      { value: '2026-11-30', label: '11-30 今天' },
      { value: '2026-12-01', label: '12-01 明天' },
      { value: '2026-12-02', label: '12-02 周三' },
    ])
    expect(isoDay(new Date(2027, 0, 5))).toBe('2027-01-05')
  })

  it('groups a day by slot, counts live bookings and puts cancelled ones last', () => {
    const at = (h: number, m = 0) => new Date(2026, 11, 1, h, m).toISOString()
    const groups = groupBySlot([
      { id: 1, slot_start: at(10), state: 'cancelled' },
      { id: 2, slot_start: at(9), state: 'booked' },
      { id: 3, slot_start: at(10), state: 'arrived' },
      { id: 4, slot_start: at(10), state: 'booked' },
    ])
    expect(groups.map((g) => [g.time, g.bookings.map((b) => b.id), g.live])).toEqual([
      ['09:00', [2], 1],
      ['10:00', [3, 4, 1], 2],
    ])
  })

  it('turns templates into a week and back, dropping blank rows', () => {
    const week = templatesByWeekday([
      { weekday: 0, start: '14:00:00', capacity: 1 },
      { weekday: 0, start: '09:00', capacity: 3 },
      { weekday: 6, start: '10:00', capacity: 2 },
    ])
    expect(week[0]).toEqual([{ start: '09:00', capacity: 3 }, { start: '14:00', capacity: 1 }])
    expect(week[3]).toEqual([])
    week[2].push({ start: ' ', capacity: 1 })
    expect(weekToTemplates(week)).toEqual([
      { weekday: 0, start: '09:00', capacity: 3 },
      { weekday: 0, start: '14:00', capacity: 1 },
      { weekday: 6, start: '10:00', capacity: 2 },
    ])
    const copied = copyDayToWeek(week, 0)
    expect(weekToTemplates(copied)).toHaveLength(14)
    copied[1][0].capacity = 9
    expect(copied[0][0].capacity).toBe(3)
  })

  it('writes distances and quantities the way people read them', () => {
    expect(distanceText(3.336)).toBe('3.34 km')
    expect(distanceText(10.67)).toBe('10.7 km')
    expect(distanceText(0.85)).toBe('850 m')
    expect(distanceText(null)).toBe('')
    expect(qty('4.50')).toBe('4.5')
    expect(qty('13.00')).toBe('13')
  })
})
