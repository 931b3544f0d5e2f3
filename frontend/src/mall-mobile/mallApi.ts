import { type Schemas, unwrap } from '@shared/api'
import { rememberedReferral } from '@shared/referral'
import type { Session } from '@shared/session'

/**
 * The mall's API (api/v1/mall.py). Its operations are not in api-types.ts yet, so they are typed
 * here and sent through the session's own client (its token and its 401 handling); once the types
 * are regenerated these become plain `session.client` calls.
 */
export type MallProduct = Schemas['Product']

export type OrderStatus = 'pending_payment' | 'paid' | 'fulfilled' | 'cancelled' | 'partially_refunded' | 'refunded'

export interface MallOrderItem {
  product: number
  name: string
  kind: string
  quantity: number
  unit_price: string
  amount: string
}

export interface MallOrder {
  id: number
  number: string
  status: OrderStatus
  status_label: string
  customer: number
  customer_name: string
  total: string
  refunded: string
  items: MallOrderItem[]
  client_secret: string
  publishable_key: string
  payment_methods: string[]
  reserved_until: string | null
  paid_at: string | null
  cancel_reason?: string
  created_at: string
}

interface Page<T> {
  count: number
  results: T[]
}

type Call = Promise<{ data?: unknown; error?: unknown; response: Response }>
interface LooseClient {
  GET(path: string, init?: { params?: { query?: Record<string, unknown> } }): Call
  POST(path: string, init?: { body?: unknown }): Call
}

const loose = (session: Session) => session.client as unknown as LooseClient

export const ORDER_STATUS: Record<OrderStatus, { label: string; type: 'primary' | 'success' | 'warning' | 'danger' | 'info' }> = {
  pending_payment: { label: '待支付', type: 'warning' },
  paid: { label: '已支付', type: 'primary' },
  fulfilled: { label: '已发货/已服务', type: 'success' },
  cancelled: { label: '已取消', type: 'info' },
  partially_refunded: { label: '部分退款', type: 'danger' },
  refunded: { label: '已退款', type: 'danger' },
}

export function mallProducts(session: Session, query: Record<string, unknown> = {}): Promise<Page<MallProduct>> {
  return unwrap(loose(session).GET('/api/v1/mall/products/', { params: { query } })) as Promise<Page<MallProduct>>
}

export function placeOrder(session: Session, items: { product: number; quantity: number }[]): Promise<MallOrder> {
  // the agent's code from a 产品推荐 link; the server ignores it for a customer who already has a promoter
  const referral_code = rememberedReferral()
  const body = referral_code ? { items, referral_code } : { items }
  return unwrap(loose(session).POST('/api/v1/mall/orders/', { body })) as Promise<MallOrder>
}

export function listOrders(session: Session, query: Record<string, unknown> = {}): Promise<Page<MallOrder>> {
  return unwrap(loose(session).GET('/api/v1/mall/orders/', { params: { query } })) as Promise<Page<MallOrder>>
}

export function getOrder(session: Session, id: number): Promise<MallOrder> {
  return unwrap(loose(session).GET(`/api/v1/mall/orders/${id}/`)) as Promise<MallOrder>
}

export function fulfilOrder(session: Session, id: number): Promise<MallOrder> {
  return unwrap(loose(session).POST(`/api/v1/mall/orders/${id}/fulfil/`)) as Promise<MallOrder>
}

export function refundOrder(session: Session, id: number, body: { amount: string; reason: string }): Promise<MallOrder> {
  return unwrap(loose(session).POST(`/api/v1/mall/orders/${id}/refund/`, { body })) as Promise<MallOrder>
}

/** Vant's tags know no 'info': a finished or cancelled order is grey ('default'). */
export function orderTag(status: string): 'default' | 'primary' | 'success' | 'warning' | 'danger' {
  const type = ORDER_STATUS[status as OrderStatus]?.type ?? 'primary'
  return type === 'info' ? 'default' : type
}
