import type { Schemas } from './api'
import { fromCents, toCents } from './format'

export type ServiceOrderRow = Schemas['ServiceOrder']
export type ServiceOrderDetail = Schemas['ServiceOrderDetail']
export type ServiceItem = Schemas['ServiceItem']
type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default'

/** A state's tag colour: waiting on someone is a warning, work under way primary, done success. */
export const SERVICE_STATE_TAG: Record<string, TagType> = {
  requested: 'warning',
  accepted: 'primary',
  quoted: 'warning',
  approved: 'primary',
  in_progress: 'primary',
  completed: 'success',
  settled: 'success',
  reviewed: 'success',
  rejected: 'danger',
  cancelled: 'default',
}

export const DECISION_LABELS: Record<string, string> = { pending: '待确认', approved: '同意', declined: '不同意' }

/** The approval body: every item with the owner's choice (checked = approved). */
export function decisionsBody(items: Pick<ServiceItem, 'id'>[], approved: number[]): { items: { item: number; decision: 'approved' | 'declined' }[] } {
  const chosen = new Set(approved)
  return { items: items.map((i) => ({ item: i.id, decision: chosen.has(i.id) ? 'approved' : 'declined' })) }
}

/** What the owner pays for the checked items (sale prices), to the cent. */
export function checkedTotal(items: Pick<ServiceItem, 'id' | 'amount'>[], approved: number[]): string {
  const chosen = new Set(approved)
  return fromCents(items.filter((i) => chosen.has(i.id)).reduce((sum, i) => sum + toCents(i.amount), 0))
}

/** True for a pushed event about this order (the page then reloads it). */
export function isAbout(event: string, data: unknown, orderId: number): boolean {
  return event.startsWith('service_order.') && !!data && (data as { order_id?: number }).order_id === orderId
}
