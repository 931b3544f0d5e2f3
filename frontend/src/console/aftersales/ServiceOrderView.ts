// The console's service orders (维修工单 for a shop, 理赔维修 for an insurer): what the pages show
// and send, kept out of the components so it can be tested on its own.
import { fromCents, toCents } from '@shared/format'
import type { Schemas } from '@shared/api'
import { SERVICE_STATE_TAG, type ServiceItem, type ServiceOrderDetail } from '@shared/serviceOrders'

export type { ServiceItem, ServiceOrderDetail }
export type ServiceOrderRow = Schemas['ServiceOrder']
export type InventoryPart = Schemas['InventoryPart']
export type EstimateBody = Schemas['EstimateRequest']
type ElTagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

/** The states in the order an order goes through them, for the filter. */
/** Who the list is for: the shop (维修工单), the insurer (理赔维修), the tenant's staff (售后工单). */
export type ListMode = 'shop' | 'insurer' | 'tenant'

/** The test ids' prefix and the words of each list. */
export const LIST_TESTID: Record<ListMode, string> = { shop: 'so', insurer: 'claim', tenant: 'tso' }
export const EMPTY_TEXT: Record<ListMode, string> = { shop: '暂无维修工单', insurer: '暂无理赔维修', tenant: '暂无售后工单' }
export const DRAWER_TITLE: Record<ListMode, string> = { shop: '维修工单', insurer: '理赔维修', tenant: '售后工单' }

export const SERVICE_STATES: { value: string; label: string }[] = [
  { value: 'requested', label: '施工申请' },
  { value: 'accepted', label: '已接单' },
  { value: 'quoted', label: '待确认报价' },
  { value: 'approved', label: '已确认' },
  { value: 'in_progress', label: '施工中' },
  { value: 'completed', label: '已完工' },
  { value: 'settled', label: '已结算' },
  { value: 'reviewed', label: '已评价' },
  { value: 'rejected', label: '门店已拒单' },
  { value: 'cancelled', label: '已取消' },
]

/** Element Plus has no 'default' tag: a closed order is grey ('info'). */
export function stateTagType(state: string): ElTagType {
  const t = SERVICE_STATE_TAG[state]
  return !t || t === 'default' ? 'info' : t
}

export const KIND_LABELS: Record<string, string> = { part: '配件', labour: '工时' }

export const ACTOR_ROLES: Record<string, string> = {
  owner: '车主',
  shop: '门店',
  insurer: '保险公司',
  agent: '代理人',
  staff: '机构员工',
}

/** A shop's next steps, in the order the buttons stand; `reason` ones ask why first. */
export type ShopAction = 'accept' | 'reject' | 'estimate' | 'start' | 'complete' | 'settle' | 'cancel'

/** The steps that commit at once and cannot be undone: the drawer asks before each. */
export const CONFIRMED: ShopAction[] = ['start', 'complete', 'settle']

/** How an owner pays at 结算 (the server's PaymentMethod, without the insurer's). */
export type PaymentMethod = 'cash' | 'wechat' | 'alipay' | 'card' | 'transfer'
export const PAYMENT_METHODS: { value: PaymentMethod; label: string }[] = [
  { value: 'wechat', label: '微信' },
  { value: 'alipay', label: '支付宝' },
  { value: 'cash', label: '现金' },
  { value: 'card', label: '银行卡' },
  { value: 'transfer', label: '转账' },
]

export interface ActionButton {
  action: ShopAction
  label: string
  testid: string
  type: 'primary' | 'success' | 'warning' | 'danger'
  plain: boolean
  /** asks a reason in a dialog before it is sent */
  reason: 'required' | 'optional' | null
}

const SHOP_BUTTONS: ActionButton[] = [
  { action: 'accept', label: '接单', testid: 'so-accept', type: 'primary', plain: false, reason: null },
  { action: 'reject', label: '拒单', testid: 'so-reject', type: 'danger', plain: true, reason: 'required' },
  { action: 'estimate', label: '检测报价', testid: 'so-estimate', type: 'primary', plain: false, reason: null },
  { action: 'start', label: '开始施工', testid: 'so-start', type: 'primary', plain: false, reason: null },
  { action: 'complete', label: '完工', testid: 'so-complete', type: 'success', plain: false, reason: null },
  { action: 'settle', label: '结算', testid: 'so-settle', type: 'success', plain: false, reason: null },
  { action: 'cancel', label: '取消工单', testid: 'so-cancel', type: 'danger', plain: true, reason: 'optional' },
]

/** The buttons for what the server says this shop may do next (`order.actions`); nothing else. */
export function shopButtons(actions: readonly string[] | null | undefined): ActionButton[] {
  const allowed = new Set(actions ?? [])
  return SHOP_BUTTONS.filter((b) => allowed.has(b.action))
}

/** 保险公司 简称 + 报案号, or — for an order that is not a claim. */
export function claimText(order: Pick<ServiceOrderRow, 'insurer' | 'claim_no'>): string {
  return order.insurer ? `${order.insurer.short_name} ${order.claim_no}`.trim() : '—'
}

// ---- the estimate editor (检测报价) ----------------------------------------------------------

/** One line as typed: numbers are the text in the boxes ('' = empty) so a typo reaches the server. */
export interface EstimateLine {
  key: number
  kind: 'part' | 'labour'
  part: number | null
  name: string
  quantity: string
  unit_price: string
  /** a part's purchase price is the part's own (shown, not sent); labour's is typed */
  unit_cost: string
}

let nextKey = 1

export function partLine(part: InventoryPart): EstimateLine {
  return {
    key: nextKey++,
    kind: 'part',
    part: part.id,
    name: part.name,
    quantity: '1',
    unit_price: part.sale_price ?? '',
    unit_cost: part.unit_cost ?? '',
  }
}

export function labourLine(): EstimateLine {
  return { key: nextKey++, kind: 'labour', part: null, name: '', quantity: '1', unit_price: '', unit_cost: '' }
}

/** Add a part: a part already listed gets one more instead of a second line. */
export function addPart(lines: EstimateLine[], part: InventoryPart): EstimateLine[] {
  const same = lines.find((l) => l.kind === 'part' && l.part === part.id)
  if (!same) return [...lines, partLine(part)]
  const qty = Number(same.quantity)
  return lines.map((l) => (l === same ? { ...l, quantity: Number.isFinite(qty) ? String(qty + 1) : '1' } : l))
}

/** Cents of a × b, rounded half-up like the server (round_cny); NaN-safe (a typo counts 0). */
function cents(quantity: string, price: string): number {
  const q = Number(quantity)
  const p = Number(price)
  if (!quantity.trim() || !price.trim() || !Number.isFinite(q) || !Number.isFinite(p)) return 0
  // work in hundredths of a cent to keep 0.1 × 3 and friends exact enough, then round half-up
  const tenThousandths = Math.round(q * 100) * Math.round(p * 100)
  return Math.floor(tenThousandths / 100 + 0.5)
}

export function lineAmount(line: EstimateLine): string {
  return fromCents(cents(line.quantity, line.unit_price))
}

export function lineCost(line: EstimateLine): string {
  return fromCents(cents(line.quantity, line.unit_cost || '0'))
}

/** The live totals under the editor: what the owner (or insurer) is quoted and what it costs the shop. */
export function estimateTotals(lines: EstimateLine[]): { amount: string; cost: string } {
  const amount = lines.reduce((s, l) => s + cents(l.quantity, l.unit_price), 0)
  const cost = lines.reduce((s, l) => s + cents(l.quantity, l.unit_cost || '0'), 0)
  return { amount: fromCents(amount), cost: fromCents(cost) }
}

/**
 * The body of POST …/estimate/. A part sends its id (the server takes the name and purchase price
 * from the shop's inventory); labour sends its name and purchase price. An empty box is left out
 * (a part's empty price means its list price; labour's empty cost means 0); anything typed goes as
 * typed so the server's message lands next to the box.
 */
export function estimateBody(lines: EstimateLine[], note: string): EstimateBody {
  const items = lines.map((l) => {
    const quantity = l.quantity.trim()
    const price = l.unit_price.trim()
    if (l.kind === 'part') {
      return { kind: 'part' as const, part: l.part, quantity, ...(price ? { unit_price: price } : {}), name: '', note: '' }
    }
    const cost = l.unit_cost.trim()
    return {
      kind: 'labour' as const,
      name: l.name.trim(),
      quantity,
      unit_price: price || null,
      ...(cost ? { unit_cost: cost } : {}),
      note: '',
    }
  })
  return { items, note: note.trim() }
}

// ---- the insurer's cost comparison (费用对比) ------------------------------------------------

/** "+12.5%" above the all-shops average, "-3.0%" below, "0.0%" on it. */
export function diffText(pct: string | number): string {
  const n = Number(pct)
  if (!Number.isFinite(n)) return '—'
  return `${n > 0 ? '+' : ''}${n.toFixed(1)}%`
}

/** A shop that buys a part dearer than the average of all shops is shown in red. */
export function aboveAverage(pct: string | number): boolean {
  return Number(pct) > 0
}

/** Gross margin of a shop's claims: sale amount − purchase cost. */
export function margin(amount: string, cost: string): string {
  return fromCents(toCents(amount) - toCents(cost))
}

// ---- list rows and pushes --------------------------------------------------------------------

/** A pushed event about a service order (any step): the pages then refresh. */
export function isServiceOrderEvent(event: string): boolean {
  return event.startsWith('service_order.')
}

/**
 * el-table has no per-row attributes: give each body row `data-testid="<prefix><no>"` after every
 * render, so a row can be found by its order number. Returns a function that stops watching.
 */
export function tagRows(table: HTMLElement, prefix: string, ids: () => string[]): () => void {
  const tag = () => {
    const wanted = ids()
    const rows = table.querySelectorAll<HTMLElement>('.el-table__body tbody > tr')
    rows.forEach((tr, i) => {
      const id = wanted[i]
      if (id === undefined) tr.removeAttribute('data-testid')
      else if (tr.getAttribute('data-testid') !== `${prefix}${id}`) tr.setAttribute('data-testid', `${prefix}${id}`)
    })
  }
  tag()
  const observer = new MutationObserver(tag)
  observer.observe(table, { childList: true, subtree: true, characterData: true })
  return () => observer.disconnect()
}
