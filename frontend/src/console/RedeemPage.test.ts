import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from './context'
import RedeemPage from './RedeemPage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const issued = {
  id: 21, code: 'DATANG-7KX3M2Q9PA', pack: 7, pack_name: '爱车大礼包', redeem_mode: 'whole', customer: 11, customer_name: '张伟',
  channel: 'manual', channel_label: '手工发放', policy_number: '', status: 'issued', status_label: '未兑换', expired: false, value: '100.00',
  market_value: '210.00', expires_on: '2027-04-27', issued_at: '2026-11-20T10:00:00+08:00', redeemed_at: null,
  items: [{ id: 31, name: '壳牌蓝喜力机油', quantity: 1, redeemed: false, redeemed_at: null }],
} // prettier-ignore

function fakeServer(answer: (req: Request, url: URL) => Response | undefined) {
  return vi.fn(async (req: Request) => answer(req, new URL(req.url)) ?? json(404, { code: 'code_not_found', message: '券码不存在', fields: {} }))
}

async function mountPage() {
  const { router, session, brand } = createShell('console', [{ path: '/', name: 'redeem', component: RedeemPage }], createMemoryHistory())
  session.me.value = { id: 1, mobile: '13600136000', name: '管理员', roles: ['tenant_admin'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' } }
  mount(RedeemPage, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
  })
  await flushPromises()
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!
async function typeCode(value: string) {
  const input = byTestId('redeem-code') as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  await flushPromises()
  byTestId('redeem-lookup').click()
  await flushPromises()
}

beforeEach(() => {
  window.localStorage.clear()
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

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

    byTestId('redeem-whole').click()
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
})
