// Shared by the shop console's booking pages and the owner's 保养预约: days, slots and templates.

export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日']

export const BOOKING_STATES: Record<string, { label: string; tag: 'primary' | 'success' | 'info' | 'warning' | 'danger' }> = {
  booked: { label: '已预约', tag: 'primary' },
  arrived: { label: '已到店', tag: 'success' },
  no_show: { label: '未到店', tag: 'warning' },
  cancelled: { label: '已取消', tag: 'info' },
}

const pad = (n: number) => String(n).padStart(2, '0')

/** 2026-12-01 for a local date (never via toISOString, which would shift to UTC). */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** The next `count` days from `today` (included), as {value, label: "12-01 周二"}. */
export function nextDays(today: Date, count: number): { value: string; label: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + i)
    const weekday = WEEKDAYS[(d.getDay() + 6) % 7]
    const name = i === 0 ? '今天' : i === 1 ? '明天' : weekday
    return { value: isoDay(d), label: `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${name}` }
  })
}

/** "09:30" of an ISO date-time, in the browser's (Asia/Shanghai) time. */
export function hhmm(iso: string): string {
  const d = new Date(iso)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A day's bookings grouped by slot start, earliest first; cancelled ones go last in a slot. */
export function groupBySlot<T extends { slot_start: string; state: string }>(rows: T[]): { time: string; bookings: T[]; live: number }[] {
  const groups = new Map<string, T[]>()
  for (const row of [...rows].sort((a, b) => a.slot_start.localeCompare(b.slot_start))) {
    const time = hhmm(row.slot_start)
    groups.set(time, [...(groups.get(time) ?? []), row])
  }
  return [...groups.entries()].map(([time, bookings]) => ({
    time,
    bookings: [...bookings].sort((a, b) => Number(a.state === 'cancelled') - Number(b.state === 'cancelled')),
    live: bookings.filter((b) => b.state === 'booked' || b.state === 'arrived').length,
  }))
}

export interface SlotTemplate {
  weekday: number
  start: string
  capacity: number
}

/** The week as seven lists (Monday first) of {start, capacity}, each sorted by time. */
export function templatesByWeekday(slots: SlotTemplate[]): { start: string; capacity: number }[][] {
  const week: { start: string; capacity: number }[][] = Array.from({ length: 7 }, () => [])
  for (const s of slots) week[s.weekday]?.push({ start: s.start.slice(0, 5), capacity: s.capacity })
  for (const day of week) day.sort((a, b) => a.start.localeCompare(b.start))
  return week
}

/** Back to the flat list the server takes; blank starts are dropped. */
export function weekToTemplates(week: { start: string; capacity: number }[][]): SlotTemplate[] {
  return week.flatMap((day, weekday) => day.filter((s) => s.start.trim()).map((s) => ({ weekday, start: s.start.trim(), capacity: Number(s.capacity) })))
}

/** Copy one day's slots to every other day (the usual way a shop sets its week). */
export function copyDayToWeek(week: { start: string; capacity: number }[][], from: number): { start: string; capacity: number }[][] {
  return week.map(() => week[from].map((s) => ({ ...s })))
}

/** "3.34 km", "850 m", or '' without a distance. */
export function distanceText(km: number | null | undefined): string {
  if (km === null || km === undefined) return ''
  return km < 1 ? `${Math.round(km * 1000)} m` : `${km.toFixed(km < 10 ? 2 : 1)} km`
}

/** "4.5" for "4.50": quantities as people write them. */
export function qty(value: string | number): string {
  const n = Number(value)
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : String(value)
}
