import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { MOBILE } from '@shared/mobile/context'
import { createShell } from '@shared/shell'
import QuickQuotePage from './QuickQuotePage.vue'

/** 快速报价's failures land where the agent is looking: the first marked field scrolls into view
 * and a toast says why; a 400 about a field the form does not show says the server's words; a
 * customer the agent already has is offered, not refused. */

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const rating = {
  region: '广东',
  valid_until: '2026-12-13',
  history: { source: 'stated' },
  options: [
    {
      insurer: { code: 'PICC', name: '人保', short_name: '人保', logo: '', color: '#c00' },
      available: true, unavailable_reason: '', rank: 1, cheapest: true, ctpl_premium: '855.00', vehicle_tax: '420.00',
      commercial_premium: '748.00', total: '2023.00', breakdown: {},
    },
  ],
} // prettier-ignore

let scrolled: Element[] = []
const mounted: { unmount: () => void }[] = []
beforeEach(() => {
  scrolled = []
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this)
  }
})

afterEach(async () => {
  await new Promise((r) => setTimeout(r, 350)) // Vant's safe-area placeholders measure late
  vi.unstubAllGlobals()
  window.localStorage.clear()
  mounted.splice(0).forEach((w) => w.unmount())
})

async function mountQuote(server: (req: Request) => Promise<Response>) {
  window.localStorage.setItem('sxb.token.agent', 'tok')
  vi.stubGlobal('fetch', vi.fn(server))
  const routes = [
    { path: '/quote', name: 'quote', component: QuickQuotePage },
    { path: '/quotes/:id', name: 'quote-detail', component: { template: '<div data-testid="detail">detail</div>' } },
  ]
  const { router, session, brand } = createShell('agent', routes, createMemoryHistory())
  session.me.value = { id: 9, mobile: '13700001011', name: '王海峰', roles: ['agent'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
  await router.push('/quote')
  const wrapper = mount(QuickQuotePage, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [MOBILE as symbol]: { app: 'agent', roleLabel: '', allowSms: false, entries: [], session, brand } } },
  })
  mounted.push(wrapper)
  await flushPromises()
  return Object.assign(wrapper, { router })
}

async function typeAndRate(wrapper: Awaited<ReturnType<typeof mountQuote>>) {
  await wrapper.find('[data-testid="quote-customer-name"]').setValue('孙女士')
  await wrapper.find('[data-testid="quote-customer-mobile"]').setValue('13912345678')
  await wrapper.find('[data-testid="quote-plate"]').setValue('粤A7M530')
  await wrapper.find('[data-testid="quote-rate"]').trigger('click')
  await flushPromises()
}

const toastText = () => document.querySelector('.van-toast')?.textContent ?? ''

describe('快速报价 failures', () => {
  it('scrolls 生成报价单 errors to the first marked field and toasts the summary', async () => {
    const wrapper = await mountQuote(async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/rating/') return json(200, rating)
      if (path === '/api/v1/quotes/')
        return json(400, { code: 'invalid', message: '输入有误，请检查标出的字段', fields: { 'customer.name': ['姓名最多 60 个字'], 'vehicle.purchase_price': ['请填写新车购置价'] } })
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    await typeAndRate(wrapper)
    // the prices came into view below the button
    expect(scrolled.map((el) => el.getAttribute('data-testid'))).toEqual(['quote-summary'])
    scrolled = []
    await wrapper.find('[data-testid="quote-create"]').trigger('click')
    await flushPromises()
    // the first invalid field in page order (客户姓名), not the notice at the top
    expect(scrolled).toHaveLength(1)
    expect(scrolled[0].textContent).toContain('姓名最多 60 个字')
    expect(scrolled[0].textContent).toContain('客户姓名')
    await vi.waitFor(() => expect(toastText()).toBe('姓名最多 60 个字（共 2 处需修改）'))
  })

  it("shows the server's message for a field the form does not display", async () => {
    const wrapper = await mountQuote(async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/rating/') return json(200, rating)
      if (path === '/api/v1/quotes/') return json(400, { code: 'invalid', message: '输入有误，请检查标出的字段', fields: { insurers: ['保险公司 XYZ 不在本租户合作名单中'] } })
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    await typeAndRate(wrapper)
    await wrapper.find('[data-testid="quote-create"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="quote-error"]').text()).toBe('保险公司 XYZ 不在本租户合作名单中')
    await vi.waitFor(() => expect(toastText()).toBe('保险公司 XYZ 不在本租户合作名单中'))
  })

  it('offers a known customer typed by hand and quotes their record on 使用该客户', async () => {
    const posted: unknown[] = []
    const wrapper = await mountQuote(async (req) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/rating/') return json(200, rating)
      if (path === '/api/v1/customers/42/') return json(200, { id: 42, name: '孙女士', mobile: '13912345678', vehicles: [] })
      if (path === '/api/v1/quotes/') {
        const body = (await req.json()) as Record<string, unknown>
        posted.push(body)
        if (body.customer)
          return json(400, {
            code: 'customer_exists', message: '孙女士 已是您的客户',
            fields: { 'customer.mobile': ['手机号 13912345678 已是您的客户 孙女士，可直接为该客户报价'], existing_customer: ['42'] },
          }) // prettier-ignore
        return json(201, { id: 77 })
      }
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    await typeAndRate(wrapper)
    await wrapper.find('[data-testid="quote-create"]').trigger('click')
    await flushPromises()
    await vi.waitFor(() => expect(document.querySelector('.van-dialog')?.textContent).toContain('已是您的客户 孙女士'))
    ;(document.querySelector('.van-dialog__confirm') as HTMLElement).click()
    await vi.waitFor(() => expect(wrapper.router.currentRoute.value.fullPath).toBe('/quotes/77'))
    expect(posted).toHaveLength(2)
    expect(posted[1]).toMatchObject({ customer_id: 42, vehicle: { plate: '粤A7M530' } })
    expect(posted[1]).not.toHaveProperty('customer')
  })
})
