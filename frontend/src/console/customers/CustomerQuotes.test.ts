import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from '../context'
import CustomerQuotes from './CustomerQuotes.vue'
import { json, page, resetBetweenTests } from '../testing'

const picc = { code: 'PICC', name: '中国人民财产保险', short_name: '人保财险', logo: '', color: '#E60012' }
const pingan = { code: 'PINGAN', name: '中国平安财产保险', short_name: '平安产险', logo: '', color: '#F26B1D' }

const quote = {
  id: 1,
  number: 'Q20260302000001',
  policy_numbers: { ctpl: 'PICC-CTPL-0001', commercial: null },
  customer: { id: 11, name: '张伟', mobile: '13800138000' },
  vehicle: 7,
  plate: '粤B2088Z',
  status: 'completed',
  status_label: '已完成',
  channel: 'console',
  channel_label: '管理后台',
  promoter: null,
  premium: '1335.00',
  insurer: picc,
  created_at: '2026-03-02T02:01:59Z',
  valid_until: '2026-03-09',
  updated_at: '2026-03-02T02:05:00Z',
}
const policy = {
  id: 41,
  quote: 1,
  quote_number: quote.number,
  insurer: picc,
  line: 'ctpl',
  line_label: '交强险',
  number: 'PICC-CTPL-0001',
  premium: '855.00',
  vehicle_tax: '480.00',
  commission_rate: '0.0400',
  starts_on: '2026-03-03',
  ends_on: '2027-03-02',
  status: 'active',
  status_label: '有效',
  issued_at: '2026-03-02T02:05:00Z',
  cancelled_at: null,
  refund_amount: null,
  cancel_reason: '',
  customer: 11,
  customer_name: '张伟',
  plate: '粤B2088Z',
}
const price = (quoteId: number, number: string, insurer: typeof picc, rank: number, total: string, chosen = false) => ({
  quote_id: quoteId,
  quote_number: number,
  quote_status: quoteId === 1 ? 'completed' : 'expired',
  rated_on: quoteId === 1 ? '2026-03-02' : '2025-03-01',
  plate: '粤B2088Z',
  insurer,
  rank,
  cheapest: rank === 1,
  chosen,
  ctpl_premium: '855.00',
  vehicle_tax: '480.00',
  commercial_premium: '0.00',
  total,
})

resetBetweenTests()

describe('console: a customer’s quotes, policies and prices (报价与保单)', () => {
  it("lists the customer's quotes and policies, and the price history grouped by quote", async () => {
    const fetchMock = vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      if (url.pathname === '/api/v1/quotes/') return json(200, page([quote]))
      if (url.pathname === '/api/v1/policies/') return json(200, page([policy]))
      if (url.pathname === '/api/v1/customers/11/prices/')
        return json(
          200,
          page([
            price(1, 'Q20260302000001', picc, 1, '1335.00', true),
            price(1, 'Q20260302000001', pingan, 2, '1400.00'),
            price(9, 'Q20250301000009', pingan, 1, '1290.00'),
          ]),
        )
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    vi.stubGlobal('fetch', fetchMock)
    const { router, session, brand } = createShell('console', [{ path: '/', component: { template: '<div />' } }], createMemoryHistory())
    session.me.value = { id: 1, mobile: '13600136000', name: '管理员', roles: ['tenant_admin'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' } }
    mount(CustomerQuotes, {
      props: { customerId: 11 },
      attachTo: document.body,
      global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
    })
    await flushPromises()

    const asked = fetchMock.mock.calls.map(([req]) => new URL(req.url)).map((u) => `${u.pathname}${u.search}`)
    expect(asked).toContain('/api/v1/quotes/?customer_id=11&page_size=50')
    expect(asked).toContain('/api/v1/policies/?customer_id=11&page_size=50')
    const quotes = document.querySelector('[data-testid="customer-quote-table"]')!.textContent ?? ''
    expect(quotes).toContain('Q20260302000001')
    expect(quotes).toContain('已完成')
    expect(quotes).toContain('¥1,335.00')
    expect(document.querySelector('[data-testid="customer-policy-table"]')!.textContent).toContain('PICC-CTPL-0001')

    const groups = [...document.querySelectorAll<HTMLElement>('[data-testid="customer-price-group"]')]
    expect(groups).toHaveLength(2)
    expect(groups[0].textContent).toContain('Q20260302000001')
    expect(groups[0].querySelectorAll('.el-table__body tr')).toHaveLength(2)
    expect(groups[0].textContent).toContain('已选')
    expect(groups[1].textContent).toContain('已过期')
    expect(groups[1].textContent).toContain('¥1,290.00')
  })
})
