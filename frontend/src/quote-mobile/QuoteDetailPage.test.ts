import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { MOBILE } from '@shared/mobile/context'
import { createShell } from '@shared/shell'
import QuoteDetailPage from './QuoteDetailPage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const insurer = (code: string, short_name: string) => ({ code, name: short_name, short_name, logo: '', color: '#c00' })

function option(id: number, code: string, name: string, total: string, rank: number, staff: boolean) {
  return {
    id,
    insurer: insurer(code, name),
    available: true,
    unavailable_reason: '',
    rank,
    cheapest: rank === 1,
    base_factor: '0.8500',
    autonomous_pricing_factor: '0.8500',
    factor_min: '0.7500',
    factor_max: '0.9500',
    ctpl_premium: '855.00',
    vehicle_tax: '420.00',
    commercial_premium: (Number(total) - 1275).toFixed(2),
    total,
    ...(staff ? { commission: '221.20' } : {}),
    breakdown: {},
  }
}

function quote(staff: boolean, overrides: Record<string, unknown> = {}) {
  return {
    id: 5,
    number: 'Q202611260001',
    policy_numbers: { ctpl: null, commercial: null },
    customer: { id: 3, name: '赵车主', mobile: '13700001021' },
    vehicle: 7,
    plate: '粤B2088Z',
    status: 'agent_quoted',
    status_label: '代理人已报价',
    channel: 'agent',
    channel_label: '代理人',
    promoter: { id: 1, name: '王海峰', mobile: '13700001011' },
    premium: '2023.00',
    insurer: null,
    created_at: '2026-11-26T10:00:00+08:00',
    valid_until: '2026-12-03',
    updated_at: '2026-11-26T10:00:00+08:00',
    region: '广东',
    rated_on: '2026-11-26',
    vehicle_snapshot: {},
    history: {},
    coverages: {},
    options: [option(11, 'PICC', '人保', '2023.00', 1, staff), option(12, 'PINGAN', '平安', '2026.17', 2, staff)],
    policies: [],
    payment: null,
    events: [],
    actions: staff ? ['adjust', 'accept', 'cancel'] : ['accept', 'cancel'],
    ...overrides,
  }
}

const policy = (line: string, line_label: string, number: string, premium: string) => ({
  id: line === 'ctpl' ? 1 : 2, quote: 5, quote_number: 'Q202611260001', insurer: insurer('PINGAN', '平安'), line, line_label,
  number, premium, vehicle_tax: line === 'ctpl' ? '420.00' : '0.00', starts_on: '2027-01-06', ends_on: '2028-01-05',
  status: 'active', status_label: '有效', issued_at: '2026-11-26T10:05:00+08:00', customer: 3, customer_name: '赵车主', plate: '粤B2088Z',
}) // prettier-ignore

async function mountDetail(app: 'owner' | 'agent', server: (req: Request) => Promise<Response>, at = '/quotes/5') {
  window.localStorage.setItem(`sxb.token.${app}`, 'tok')
  vi.stubGlobal('fetch', vi.fn(server))
  const { router, session, brand } = createShell(app, [{ path: '/quotes/:id', name: 'quote-detail', component: QuoteDetailPage }], createMemoryHistory())
  session.me.value = { id: 9, mobile: '13700001021', name: '赵车主', roles: [app], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
  await router.push(at)
  const wrapper = mount(QuoteDetailPage, {
    global: { plugins: [router], provide: { [MOBILE as symbol]: { app, roleLabel: '', allowSms: false, entries: [], session, brand } } },
  })
  await flushPromises()
  return Object.assign(wrapper, { router })
}

afterEach(async () => {
  // Vant's safe-area placeholders measure themselves 100–300 ms after mounting: let them finish
  // while the DOM still exists, or they throw after the environment is torn down.
  await new Promise((r) => setTimeout(r, 350))
  vi.unstubAllGlobals()
  window.localStorage.clear()
})

describe('quote detail on the phone', () => {
  it('lets the owner accept an option after confirming, then shows the policies, and never the commission', async () => {
    const bodies: unknown[] = []
    const wrapper = await mountDetail('owner', async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/quotes/5/' && req.method === 'GET') return json(200, quote(false))
      if (path === '/api/v1/quotes/5/accept/') {
        bodies.push(await req.json())
        return json(200, quote(false, {
          status: 'issued', status_label: '已出单', premium: '2026.17', insurer: insurer('PINGAN', '平安'), actions: [],
          policies: [policy('commercial', '商业险', 'PINGANSY2027000001', '751.17'), policy('ctpl', '交强险', 'PINGANJQ2027000001', '855.00')],
        })) // prettier-ignore
      }
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    expect(wrapper.findAll('[data-testid="quote-option"]')).toHaveLength(2)
    expect(wrapper.find('[data-testid="option-commission"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="option-factor"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="quote-send"]').exists()).toBe(false)

    await wrapper.find('[data-insurer="PINGAN"] [data-testid="option-accept"]').trigger('click')
    await flushPromises()
    expect(bodies).toEqual([])
    expect(wrapper.text()).toContain('¥2,026.17')
    await wrapper.find('[data-testid="dialog-confirm"]').trigger('click')
    await flushPromises()
    expect(bodies).toEqual([{ option: 12 }])
    expect(wrapper.find('[data-testid="quote-status"]').text()).toBe('已出单')
    expect(wrapper.findAll('[data-testid="policy-row"]').map((r) => r.text())).toEqual([
      expect.stringContaining('PINGANSY2027000001'),
      expect.stringContaining('PINGANJQ2027000001'),
    ])
    expect(wrapper.find('[data-testid="option-accept"]').exists()).toBe(false)
  })

  it('shows the agent the commission and adjusts a factor inside the allowed range', async () => {
    const bodies: unknown[] = []
    const wrapper = await mountDetail('agent', async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/quotes/5/') return json(200, quote(true))
      if (path === '/api/v1/quotes/5/options/11/adjust/') {
        bodies.push(await req.json())
        return json(409, { code: 'quote_invalid_transition', message: '报价单已出单，不能调整', fields: {} })
      }
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    expect(wrapper.find('[data-insurer="PICC"] [data-testid="option-commission"]').text()).toContain('¥221.20')
    expect(wrapper.find('[data-insurer="PICC"] [data-testid="option-accept"]').text()).toBe('代客确认')
    const stepper = wrapper.find('[data-insurer="PICC"] [data-testid="option-factor"] input')
    await stepper.setValue('0.9')
    await stepper.trigger('blur')
    await wrapper.find('[data-insurer="PICC"] [data-testid="option-adjust"]').trigger('click')
    await flushPromises()
    expect(bodies).toEqual([{ factor: '0.90' }])
    expect(wrapper.find('[data-testid="quote-error"]').text()).toContain('报价单已出单，不能调整')
  })

  it('follows the address from #/quotes/7 to #/quotes/8: shows quote 8 and 确认投保 posts to quote 8', async () => {
    const seven = quote(false, { id: 7, number: 'Q202611260007', plate: '粤B7777Z' })
    const eight = quote(false, { id: 8, number: 'Q202611260008', plate: '粤B8888Z' })
    const posted: string[] = []
    const wrapper = await mountDetail('owner', async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/quotes/7/' && req.method === 'GET') return json(200, seven)
      if (path === '/api/v1/quotes/8/' && req.method === 'GET') return json(200, eight)
      if (req.method === 'POST') {
        posted.push(`${path} ${JSON.stringify(await req.json())}`)
        return json(200, { ...eight, status: 'accepted', status_label: '已确认', actions: [] })
      }
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    }, '/quotes/7') // prettier-ignore
    expect(wrapper.find('[data-testid="quote-number"]').text()).toContain('Q202611260007')

    await wrapper.router.push('/quotes/8')
    await flushPromises()
    expect(wrapper.find('[data-testid="quote-number"]').text()).toContain('Q202611260008')
    expect(wrapper.text()).toContain('粤B8888Z')
    expect(wrapper.text()).not.toContain('粤B7777Z')

    await wrapper.find('[data-insurer="PICC"] [data-testid="option-accept"]').trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="dialog-confirm"]').trigger('click')
    await flushPromises()
    expect(posted).toEqual(['/api/v1/quotes/8/accept/ {"option":11}'])
    expect(wrapper.find('[data-testid="quote-status"]').text()).toBe('已确认')
  })

  it('stops showing 代理人已报价 once the agent cancels: reloads when the owner comes back to the page', async () => {
    let current = quote(false)
    const wrapper = await mountDetail('owner', async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/quotes/5/' && req.method === 'GET') return json(200, current)
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    expect(wrapper.find('[data-testid="quote-status"]').text()).toBe('代理人已报价')
    current = quote(false, { status: 'cancelled', status_label: '已取消', actions: [] })
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(() => expect(wrapper.find('[data-testid="quote-status"]').text()).toBe('已取消'))
    expect(wrapper.find('[data-testid="option-accept"]').exists()).toBe(false)
  })
})
