import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from '../context'
import RedeemPage from './RedeemPage.vue'
import { byTestId, json, resetBetweenTests } from '../testing'

const issued = {
  id: 21, code: 'DATANG-7KX3M2Q9PA', pack: 7, pack_name: '爱车大礼包', redeem_mode: 'whole', customer: 11, customer_name: '张伟',
  channel: 'manual', channel_label: '手工发放', policy_number: '', status: 'issued', status_label: '未兑换', expired: false, value: '100.00',
  market_value: '210.00', expires_on: '2027-04-27', issued_at: '2026-11-20T10:00:00+08:00', redeemed_at: null,
  items: [{ id: 31, name: '壳牌蓝喜力机油', quantity: 1, redeemed: false, redeemed_at: null }],
} // prettier-ignore

function fakeServer(answer: (req: Request, url: URL) => Response | undefined) {
  return vi.fn(async (req: Request) => answer(req, new URL(req.url)) ?? json(404, { code: 'code_not_found', message: '券码不存在', fields: {} }))
}

async function mountPage(shop = false) {
  const { router, session, brand } = createShell('console', [{ path: '/', name: 'redeem', component: RedeemPage }], createMemoryHistory())
  session.me.value = shop
    ? { id: 2, mobile: '13655599001', name: '门店小王', roles: ['shop_staff'], scope: { kind: 'public', schema_name: null, name: '速信保' } }
    : { id: 1, mobile: '13600136000', name: '管理员', roles: ['tenant_admin'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' } }
  brand.branding.value = {
    scope: shop ? 'public' : 'tenant', tenant: null, display_name: '速信保', short_name: '', slogan: '', logo_url: '', favicon_url: '', h5_title: '',
    primary_color: '#409EFF', secondary_color: '#67C23A',
  } // prettier-ignore
  mount(RedeemPage, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
  })
  await flushPromises()
}

async function typeCode(value: string) {
  const input = byTestId('redeem-code') as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  await flushPromises()
  byTestId('redeem-lookup').click()
  await flushPromises()
}

resetBetweenTests()

describe('console: 礼包核销', () => {
  it('looks a code up, shows its contents, and explains a 409 when it was redeemed meanwhile', async () => {
    let redeemed = false
    let posted: unknown = null
    vi.stubGlobal(
      'fetch',
      fakeServer((req, url) => {
        if (url.pathname === '/api/v1/gift-packs/lookup/') {
          expect(url.searchParams.get('code')).toBe('DATANG-7KX3M2Q9PA')
          return json(200, redeemed ? { ...issued, status: 'redeemed', status_label: '已兑换', redeemed_at: '2026-11-26T09:30:00+08:00' } : issued)
        }
        if (url.pathname === '/api/v1/gift-packs/redeem/' && req.method === 'POST') {
          void req.clone().json().then((b) => (posted = b))
          redeemed = true
          return json(409, { code: 'already_redeemed', message: '券码已于 2026-11-26 09:30 兑换', fields: {} })
        }
      }),
    )
    await mountPage()
    await typeCode(' datang-7kx3m2q9pa ')
    expect(byTestId('redeem-pack').textContent).toBe('爱车大礼包')
    expect(byTestId('redeem-items').textContent).toContain('壳牌蓝喜力机油')
    expect(byTestId('redeem-status').textContent?.trim()).toBe('未兑换')

    // 整包核销 asks first, naming the pack, the customer, the value and what is redeemed; 取消 posts nothing
    byTestId('redeem-whole').click()
    await flushPromises()
    expect(byTestId('redeem-confirm-text').textContent).toBe(
      '确认为 张伟 整包核销「爱车大礼包」（DATANG-7KX3M2Q9PA，价值 ¥100.00）？将一次兑换：壳牌蓝喜力机油×1。核销后不能撤销。',
    )
    byTestId('redeem-confirm-cancel').click()
    await flushPromises()
    expect(posted).toBeNull()
    byTestId('redeem-whole').click()
    await flushPromises()
    byTestId('redeem-confirm-ok').click()
    await flushPromises()
    expect(posted).toEqual({ code: 'DATANG-7KX3M2Q9PA', item: null, place: '' })
    expect(byTestId('redeem-error').textContent).toContain('券码已于 2026-11-26 09:30 兑换')
    // the card now shows how the code stands, and offers no second redemption
    expect(byTestId('redeem-status').textContent?.trim()).toBe('已兑换')
    expect(document.querySelector('[data-testid="redeem-whole"]')).toBeNull()
  })

  it("refuses another tenant's code by name, and says when a code does not exist", async () => {
    const fetchMock = fakeServer(() => undefined)
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    await typeCode('BOWEI-ABCDEFGH12')
    expect(byTestId('redeem-error').textContent).toContain('该券码不属于本机构，不能在此兑换')
    expect(fetchMock).not.toHaveBeenCalled()
    await typeCode('DATANG-NOPE000000')
    expect(byTestId('redeem-error').textContent).toContain('券码 DATANG-NOPE000000 不存在')
  })

  it("at a shop's counter uses the shop's endpoints, names the shop, and explains a tenant that is not a partner", async () => {
    const seen: string[] = []
    let posted: unknown = null
    vi.stubGlobal(
      'fetch',
      fakeServer((req, url) => {
        seen.push(`${req.method} ${url.pathname}`)
        if (url.pathname === '/api/v1/shop/me/') return json(200, { id: 5, name: '福田门店', uscc: '', address: '深圳福田', services: [], active: true })
        if (url.pathname === '/api/v1/shop/gift-packs/lookup/') {
          const code = url.searchParams.get('code')
          if (code === 'BOWEI-ABCDEFGH12')
            return json(400, { code: 'not_partner', message: '本店不是「博维汽车」的合作门店，不能兑换其礼包', fields: { code: ['不是本店合作机构的券码'] } })
          expect(code).toBe('DATANG-7KX3M2Q9PA')
          return json(200, issued)
        }
        if (url.pathname === '/api/v1/shop/gift-packs/redeem/' && req.method === 'POST') {
          void req.clone().json().then((b) => (posted = b))
          return json(200, { ...issued, status: 'redeemed', status_label: '已兑换', redeemed_at: '2026-11-26T09:30:00+08:00' })
        }
      }),
    )
    await mountPage(true)
    expect(byTestId('redeem-shop').textContent).toBe('福田门店')
    // the place is the shop: nothing to type
    expect(document.querySelector('[data-testid="redeem-place"]')).toBeNull()

    // another tenant's code is asked about (it may be a partner), and the refusal names the tenant
    await typeCode('BOWEI-ABCDEFGH12')
    expect(byTestId('redeem-error').textContent).toContain('本店不是「博维汽车」的合作门店')
    expect(document.querySelector('[data-testid="redeem-card"]')).toBeNull()

    await typeCode('datang-7kx3m2q9pa')
    expect(byTestId('redeem-pack').textContent).toBe('爱车大礼包')
    byTestId('redeem-whole').click()
    await flushPromises()
    byTestId('redeem-confirm-ok').click()
    await flushPromises()
    expect(posted).toEqual({ code: 'DATANG-7KX3M2Q9PA', item: null })
    expect(byTestId('redeem-status').textContent?.trim()).toBe('已兑换')
    expect(seen.every((s) => s.includes('/api/v1/shop/'))).toBe(true)
    expect(seen).toContain('POST /api/v1/shop/gift-packs/redeem/')
  })
})
