import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { MOBILE } from '@shared/mobile/context'
import { rememberedReferral } from '@shared/referral'
import { createShell } from '@shared/shell'
import { placeOrder } from '../mall-mobile/mallApi'
import { shareLink } from './catalogue'
import CataloguePage from './CataloguePage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const product = (id: number, name: string, kind: string, market: string, actual: string) => ({
  id, name, kind, kind_label: kind === 'goods' ? '商品' : '服务', source: '', market_price: market, actual_price: actual,
  stock: kind === 'goods' ? 8 : null, on_shelf: true, archived: false, image_url: '', image_h5_url: '',
}) // prettier-ignore
const pack = {
  id: 5, name: '续保礼包', market_value: '260.00', actual_value: '188.00', contents: '壳牌蓝喜力机油*1, 精洗*1', items: [],
  expires_on: '2027-06-30', redeem_mode: 'whole', active: true, status: 'active', issued_count: 3, redeemed_count: 1,
} // prettier-ignore
const referral = {
  code: 'DT8K2M7Q', kind: 'agent', owner_link: 'http://datang.localhost/#/login?ref=DT8K2M7Q',
  agent_link: 'http://datang.localhost/agent/#/join?code=DT8K2M7Q', referrals: [],
}

function server(asked: string[]) {
  return vi.fn(async (input: Request | string) => {
    const req = typeof input === 'string' ? new Request(new URL(input, window.location.origin)) : input
    const url = new URL(req.url)
    asked.push(url.pathname + url.search)
    if (url.pathname === '/api/v1/mall/products/')
      return json(200, { count: 2, results: [product(11, '壳牌机油', 'goods', '210.00', '188.50'), product(12, '精洗服务', 'service', '60.00', '39.00')] })
    if (url.pathname === '/api/v1/gift-packs/') return json(200, [pack])
    if (url.pathname === '/api/v1/network/my-referral/') return json(200, referral)
    if (url.pathname === '/api/v1/mall/orders/') return json(201, { id: 1, body: await req.json() })
    return json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
}

async function mountCatalogue(asked: string[]) {
  window.localStorage.setItem('sxb.token.agent', 'tok')
  vi.stubGlobal('fetch', server(asked))
  const { router, session, brand } = createShell('agent', [{ path: '/catalogue', name: 'catalogue', component: CataloguePage }], createMemoryHistory())
  session.me.value = { id: 9, mobile: '13655570002', name: '孙专员', roles: ['agent'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
  await router.push('/catalogue')
  const wrapper = mount(CataloguePage, {
    global: { plugins: [router], provide: { [MOBILE as symbol]: { app: 'agent', roleLabel: '代理人', allowSms: false, entries: [], session, brand } } },
  })
  await flushPromises()
  return { wrapper, session }
}

afterEach(async () => {
  // Vant's safe-area placeholders measure themselves after mounting: let them finish while the DOM exists
  await new Promise((r) => setTimeout(r, 350))
  vi.unstubAllGlobals()
  window.localStorage.clear()
})

describe('agent: 产品推荐', () => {
  it('builds the owner mall link with the agent code', () => {
    expect(shareLink(referral.owner_link, 'DT8K2M7Q', 11)).toBe('http://datang.localhost/#/mall?product=11&ref=DT8K2M7Q')
    expect(shareLink(referral.owner_link, 'DT8K2M7Q')).toBe('http://datang.localhost/#/mall?ref=DT8K2M7Q')
  })

  it('lists the mall products and the active gift packs, and shares a product as a link and its QR', async () => {
    const asked: string[] = []
    const { wrapper } = await mountCatalogue(asked)
    expect(asked).toContain('/api/v1/gift-packs/?status=active')
    const cards = wrapper.findAll('[data-testid="catalogue-product"]')
    expect(cards.map((c) => c.find('.van-card__title').text())).toEqual(['壳牌机油', '精洗服务'])
    expect(cards[0].find('.van-card__price').text()).toContain('188.50')
    await wrapper.find('[data-testid="share-product-11"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="catalogue-qr"]').exists()).toBe(true)
    })
    expect(wrapper.find('[data-testid="catalogue-link"]').text()).toBe('http://datang.localhost/#/mall?product=11&ref=DT8K2M7Q')
    expect(wrapper.find('[data-testid="catalogue-share"]').text()).toContain('分享「壳牌机油」')
    expect(wrapper.find('[data-testid="catalogue-qr"]').attributes('src')).toMatch(/^data:image\/png;base64,/)

    await wrapper.findAll('.van-tab')[1].trigger('click') // 礼包
    await flushPromises()
    const packs = wrapper.findAll('[data-testid="catalogue-pack"]')
    expect(packs).toHaveLength(1)
    expect(packs[0].text()).toContain('续保礼包')
    expect(packs[0].text()).toContain('¥188.00')
    expect(packs[0].text()).toContain('壳牌蓝喜力机油*1, 精洗*1')

    await wrapper.find('[data-testid="share-pack-5"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="catalogue-link"]').text()).toBe('http://datang.localhost/#/mall?ref=DT8K2M7Q')
  })

  it('the owner H5 keeps the code from the link through the login page and sends it with the order', async () => {
    const asked: string[] = []
    vi.stubGlobal('fetch', server(asked))
    const { router, session } = createShell(
      'owner',
      [
        { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
        { path: '/mall', name: 'mall', component: { template: '<div />' } },
      ],
      createMemoryHistory(),
    )
    await router.push('/mall?product=11&ref=DT8K2M7Q')
    expect(router.currentRoute.value.name).toBe('login') // not signed in: a signup through it records the referral
    expect(router.currentRoute.value.query.ref).toBe('DT8K2M7Q')
    expect(rememberedReferral()).toBe('DT8K2M7Q')
    const sent = (await placeOrder(session, [{ product: 11, quantity: 2 }])) as unknown as { body: unknown }
    expect(sent.body).toEqual({ items: [{ product: 11, quantity: 2 }], referral_code: 'DT8K2M7Q' })
  })
})
