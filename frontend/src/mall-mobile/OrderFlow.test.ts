import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, RouterView } from 'vue-router'
import { MOBILE } from '@shared/mobile/context'
import { createShell } from '@shared/shell'
import CartPage from './CartPage.vue'
import { cartKey, useCart } from './cart'
import MallPage from './MallPage.vue'
import OrderPage from './OrderPage.vue'

// no network in tests (nor, often, on a phone in a car park): Stripe.js does not load
vi.mock('./stripe', () => ({ loadStripe: () => Promise.reject(new Error('支付组件加载失败')) }))

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const page = (results: unknown[]) => ({ count: results.length, next: null, previous: null, results })

const oil = {
  id: 3, name: '壳牌蓝喜力机油', kind: 'goods', kind_label: '商品', source: '', market_price: '210.00', actual_price: '100.00', stock: 5,
  on_shelf: true, archived: false, image_url: '', image_h5_url: '/media/tenants/datang/products/3-h5.jpg', created_at: '2026-11-20T10:00:00+08:00',
} // prettier-ignore
const wash = { ...oil, id: 4, name: '精洗一次', kind: 'service', kind_label: '服务', actual_price: '39.00', market_price: '80.00', stock: null, image_h5_url: '' }

function order(status: string, status_label: string) {
  return {
    id: 41, number: 'M2026112600001234', status, status_label, customer: 9, customer_name: '赵车主', total: '239.00', refunded: '0.00',
    items: [
      { product: 3, name: '壳牌蓝喜力机油', kind: 'goods', quantity: 2, unit_price: '100.00', amount: '200.00' },
      { product: 4, name: '精洗一次', kind: 'service', quantity: 1, unit_price: '39.00', amount: '39.00' },
    ],
    client_secret: status === 'pending_payment' ? 'pi_123_secret_456' : '', publishable_key: 'pk_test_x', payment_methods: ['card', 'wechat_pay', 'alipay'],
    reserved_until: '2026-11-26T10:30:00+08:00', paid_at: status === 'paid' ? '2026-11-26T10:05:00+08:00' : null, cancel_reason: '', created_at: '2026-11-26T10:00:00+08:00',
  } // prettier-ignore
}

async function mountApp(server: (req: Request, url: URL) => Response | Promise<Response>, start: string) {
  window.localStorage.setItem('sxb.token.owner', 'tok')
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => server(req, new URL(req.url))))
  const { router, session, brand } = createShell(
    'owner',
    [
      { path: '/mall', name: 'mall', component: MallPage },
      { path: '/mall/cart', name: 'mall-cart', component: CartPage },
      { path: '/mall/orders', name: 'mall-orders', component: { template: '<div />' } },
      { path: '/mall/orders/:id', name: 'mall-order', component: OrderPage },
    ],
    createMemoryHistory(),
  )
  session.me.value = { id: 9, mobile: '13700001021', name: '赵车主', roles: ['owner'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
  await router.push(start)
  const Root = defineComponent({ setup: () => () => h(RouterView) })
  const wrapper = mount(Root, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [MOBILE as symbol]: { app: 'owner', roleLabel: '车主', allowSms: true, entries: [], session, brand } } },
  })
  await flushPromises()
  return { wrapper, router }
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)
const allByTestId = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)]

beforeEach(() => {
  window.localStorage.clear()
  document.body.innerHTML = ''
  useCart().clear()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('owner H5: mall cart and order', () => {
  it('keeps the cart per tenant host, with quantities capped by the stock', async () => {
    await mountApp((_req, url) => (url.pathname === '/api/v1/mall/products/' ? json(200, page([oil, wash])) : json(404, {})), '/mall')
    expect(allByTestId('mall-product')).toHaveLength(2)
    const [addOil, addWash] = allByTestId('mall-add')
    for (let i = 0; i < 7; i++) addOil.click()
    addWash.click()
    await flushPromises()
    const cart = useCart()
    expect(cart.lines.value.map((l) => [l.name, l.quantity])).toEqual([['壳牌蓝喜力机油', 5], ['精洗一次', 1]])
    const saved = JSON.parse(window.localStorage.getItem(cartKey())!)
    expect(saved.map((l: { product: number; quantity: number }) => [l.product, l.quantity])).toEqual([[3, 5], [4, 1]])
    expect(cartKey('datang.localhost:8000')).toBe('sxb.cart.datang.localhost:8000')
    cart.setQuantity(3, 2)
    cart.remove(4)
    expect(JSON.parse(window.localStorage.getItem(cartKey())!)).toHaveLength(1)
  })

  it('places the order, shows it 待支付 while Stripe.js is unavailable, and turns to 已支付 when the webhook has paid it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const cart = useCart()
    cart.add(oil as never, 2)
    cart.add(wash as never, 1)
    let posted: unknown = null
    let polls = 0
    const { router } = await mountApp(async (req, url) => {
      if (url.pathname === '/api/v1/mall/orders/' && req.method === 'POST') {
        posted = await req.clone().json()
        return json(201, order('pending_payment', '待支付'))
      }
      if (url.pathname === '/api/v1/mall/orders/41/') {
        polls += 1
        return json(200, polls < 3 ? order('pending_payment', '待支付') : order('paid', '已支付'))
      }
      return json(404, {})
    }, '/mall/cart')
    expect(allByTestId('cart-line')).toHaveLength(2)
    byTestId('cart-submit')!.querySelector('button')!.click()
    await flushPromises()

    expect(posted).toEqual({ items: [{ product: 3, quantity: 2 }, { product: 4, quantity: 1 }] })
    expect(router.currentRoute.value.fullPath).toBe('/mall/orders/41')
    expect(useCart().count.value).toBe(0)
    expect(byTestId('order-status')!.textContent).toBe('待支付')
    expect(byTestId('order-total')!.textContent).toBe('¥239.00')
    expect(byTestId('payment-unavailable')).not.toBeNull()

    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    expect(byTestId('order-status')!.textContent).toBe('待支付')
    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    expect(byTestId('order-status')!.textContent).toBe('已支付')
    expect(byTestId('order-paid')).not.toBeNull()
    expect(byTestId('order-pay')).toBeNull()
    // polling stops once the order has moved on
    await vi.advanceTimersByTimeAsync(6000)
    expect(polls).toBe(3)
  })

  it("shows the server's out-of-stock message on that line of the cart", async () => {
    useCart().add(oil as never, 3)
    await mountApp(
      (req, url) =>
        url.pathname === '/api/v1/mall/orders/' && req.method === 'POST'
          ? json(400, { code: 'invalid', message: '请检查购物车', fields: { 'items.0.quantity': ['壳牌蓝喜力机油 库存不足（剩 1 件）'] } })
          : json(404, {}),
      '/mall/cart',
    )
    byTestId('cart-submit')!.querySelector('button')!.click()
    await flushPromises()
    expect(byTestId('cart-line-error')!.textContent).toBe('壳牌蓝喜力机油 库存不足（剩 1 件）')
    expect(useCart().count.value).toBe(3)
  })
})
