import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { MOBILE } from '@shared/mobile/context'
import { createShell } from '@shared/shell'
import IncomeMonthPage from './IncomeMonthPage.vue'
import IncomePage from './IncomePage.vue'
import StatementPage from './StatementPage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const income = {
  total: '186.90',
  pending: '112.40',
  settled: '0.00',
  months: [
    { period: '2026-12', period_status: 'open', totals: { commission: '112.40' }, total: '112.40', count: 2, statement_id: null, statement_status: null },
    { period: '2026-11', period_status: 'closed', totals: { commission: '54.50', volume_bonus: '20.00' }, total: '74.50', count: 3, statement_id: 22, statement_status: 'open' },
  ],
}
const entry = (id: number, extra: Record<string, unknown> = {}) => ({
  id, period: '2026-11', kind: 'commission', kind_label: '佣金', state: 'confirmed', distributor: 6, distributor_name: '孙专员',
  source_type: 'policy', source_id: 41, source_number: 'PICCT0000000041', line: 'commercial', line_label: '商业险', insurer_code: 'PICC',
  level: 0, rule: '2026 标准方案：商业险 职级「专员」累计 10%', basis: '748.00', rate: '0.1000', amount: '74.80',
  formula: '商业险保费 748.00 × (10% − 0%) = 74.80', sale_at: '2026-11-12T10:00:00+08:00', reversal: false, reason: '', created_at: '2026-11-12T10:00:00+08:00',
  ...extra,
}) // prettier-ignore
const bonus = entry(2, {
  kind: 'volume_bonus', kind_label: '通算奖励', source_type: 'period', source_number: '2026-11', line: '', line_label: '', rule: '',
  basis: '10000.00', rate: '0.0020', amount: '20.00', formula: '通算：本月 3 单保费 10000.00 ≥ 门槛 10000.00，× 0.2% = 20.00',
}) // prettier-ignore

async function mountAt(path: string, component: object, server: (req: Request) => Promise<Response>) {
  window.localStorage.setItem('sxb.token.agent', 'tok')
  // openapi-fetch hands over a Request; a download fetches a path with its own headers
  const asRequest = (input: Request | string, init?: RequestInit) =>
    typeof input === 'string' ? new Request(new URL(input, window.location.origin), init) : input
  vi.stubGlobal('fetch', vi.fn((input: Request | string, init?: RequestInit) => server(asRequest(input, init))))
  const { router, session, brand } = createShell(
    'agent',
    [
      { path: '/income', name: 'income', component: IncomePage },
      { path: '/income/:period', name: 'income-month', component: IncomeMonthPage },
      { path: '/statements/:id', name: 'statement', component: StatementPage },
    ],
    createMemoryHistory(),
  )
  session.me.value = { id: 9, mobile: '13655570002', name: '孙专员', roles: ['agent'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
  await router.push(path)
  const wrapper = mount(component, {
    global: { plugins: [router], provide: { [MOBILE as symbol]: { app: 'agent', roleLabel: '代理人', allowSms: false, entries: [], session, brand } } },
  })
  await flushPromises()
  return { wrapper, router }
}

afterEach(async () => {
  // Vant's safe-area placeholders measure themselves 100–300 ms after mounting: let them finish
  // while the DOM still exists, or they throw after the environment is torn down.
  await new Promise((r) => setTimeout(r, 350))
  vi.unstubAllGlobals()
  window.localStorage.clear()
})

describe('agent: 我的收入', () => {
  it('shows the totals and each month by kind with its state; a month opens its entries, a statement its page', async () => {
    const { wrapper, router } = await mountAt('/income', IncomePage, async (req) => {
      if (new URL(req.url).pathname === '/api/v1/commissions/my/income/') return json(200, income)
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    expect(wrapper.find('[data-testid="income-total"]').text()).toBe('¥186.90')
    expect(wrapper.find('[data-testid="income-pending"]').text()).toBe('¥112.40')
    expect(wrapper.find('[data-testid="income-settled"]').text()).toBe('¥0.00')
    const months = wrapper.findAll('[data-testid="income-month"]')
    expect(months).toHaveLength(2)
    expect(months[0].find('[data-testid="month-state"]').text()).toBe('待结算')
    expect(months[0].find('[data-testid="month-statement"]').exists()).toBe(false)
    expect(months[1].text()).toContain('佣金 ¥54.50')
    expect(months[1].text()).toContain('通算 ¥20.00')
    expect(months[1].find('[data-testid="month-total"]').text()).toBe('¥74.50')
    expect(months[1].find('[data-testid="month-state"]').text()).toBe('待支付')

    await months[1].find('[data-testid="month-statement"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/statements/22')
    await router.push('/income')
    await wrapper.findAll('[data-testid="income-month"]')[1].trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/income/2026-11')
  })

  it("lists a month's entries: amount, source policy, rule, basis × rate and the formula", async () => {
    const asked: string[] = []
    const { wrapper } = await mountAt('/income/2026-11', IncomeMonthPage, async (req) => {
      const url = new URL(req.url)
      asked.push(url.pathname + url.search)
      if (url.pathname === '/api/v1/commissions/my/entries/') return json(200, { count: 2, next: null, previous: null, results: [entry(1), bonus] })
      if (url.pathname === '/api/v1/commissions/my/income/') return json(200, income)
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    expect(asked).toContain('/api/v1/commissions/my/entries/?period=2026-11&page_size=200')
    const cards = wrapper.findAll('[data-testid="income-entry"]')
    expect(cards).toHaveLength(2)
    expect(cards[0].find('[data-testid="entry-amount"]').text()).toBe('¥74.80')
    expect(cards[0].find('[data-testid="entry-source"]').text()).toContain('保单 PICCT0000000041 · 商业险 · 本人销售')
    expect(cards[0].text()).toContain('2026 标准方案：商业险 职级「专员」累计 10%')
    expect(cards[0].text()).toContain('基数 ¥748.00 × 10%')
    expect(cards[0].find('[data-testid="entry-formula"]').text()).toBe('商业险保费 748.00 × (10% − 0%) = 74.80')
    expect(cards[0].find('[data-testid="entry-state"]').text()).toBe('已确认')
    expect(cards[1].find('[data-testid="entry-formula"]').text()).toBe('通算：本月 3 单保费 10000.00 ≥ 门槛 10000.00，× 0.2% = 20.00')
    expect(wrapper.find('[data-testid="month-summary"]').text()).toContain('¥74.50')
    expect(wrapper.find('[data-testid="month-statement"]').exists()).toBe(true)
  })

  it('shows the statement with its counterparties and downloads the PDF with the token', async () => {
    const asked: { path: string; auth: string | null }[] = []
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    URL.createObjectURL = vi.fn(() => 'blob:statement')
    URL.revokeObjectURL = vi.fn()
    const { wrapper } = await mountAt('/statements/22', StatementPage, async (req) => {
      const url = new URL(req.url)
      asked.push({ path: url.pathname + url.search, auth: req.headers.get('Authorization') })
      if (url.pathname === '/api/v1/commissions/statements/22/')
        return json(200, {
          id: 22, period: '2026-11', period_status: 'closed', distributor: 6, distributor_name: '孙专员', distributor_mobile: '13655570002',
          tier: '专员', settlement_mode: 'same_level', settlement_mode_label: '同级结算', totals: { commission: '54.50', volume_bonus: '20.00' },
          earned: '74.50', receivable: '74.50', payable: '0.00', counterparties: [{ distributor_id: 5, name: '钱经理', receive: '74.50', pay: '0.00' }],
          status: 'open', status_label: '待支付', paid_at: null, entries: [entry(1)],
        }) // prettier-ignore
      if (url.pathname === '/api/v1/commissions/statements/22/export/') return new Response('%PDF-1.4', { status: 200, headers: { 'Content-Type': 'application/pdf' } })
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    expect(wrapper.find('[data-testid="statement-earned"]').text()).toBe('¥74.50')
    expect(wrapper.find('[data-testid="statement-parties"]').text()).toContain('钱经理')
    expect(wrapper.find('[data-testid="statement-parties"]').text()).toContain('应收 ¥74.50')
    expect(wrapper.find('[data-testid="entry-formula"]').text()).toBe('商业险保费 748.00 × (10% − 0%) = 74.80')
    await wrapper.find('[data-testid="statement-pdf"]').trigger('click')
    await flushPromises()
    expect(asked.at(-1)).toEqual({ path: '/api/v1/commissions/statements/22/export/?file=pdf', auth: 'Bearer tok' })
    expect(clicked).toHaveBeenCalled()
    clicked.mockRestore()
  })
})
