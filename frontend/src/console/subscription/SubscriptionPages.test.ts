import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { type Component } from 'vue'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import BillingPage from './BillingPage.vue'
import { CONSOLE } from '../context'
import RevenuePage from './RevenuePage.vue'
import SignupPage from './SignupPage.vue'
import SignupProgressPage from './SignupProgressPage.vue'
import { byTestId, errorNextTo, fill, json, page, resetBetweenTests, settle } from '../testing'

const basic = { id: 1, code: 'basic', name: '基础版', price_monthly: '299.00', currency: 'cny', max_agents: 10,
  max_customers: 500, max_storage_mb: 1024, trial_days: 14, is_active: true }
const pro = { ...basic, id: 2, code: 'pro', name: '专业版', price_monthly: '999.00', max_agents: 100, max_customers: 10000 }
const signup = (status: string, step: string, extra = {}) => ({
  id: 'b5f0c8a2-6d7e-4c1a-9f3b-2a1d0e9c8b7a', status, status_label: status, step, error: '', attempts: 1,
  company_name: '华信保险经纪有限公司', subdomain: 'huaxin', plan_name: '基础版', console_url: '', ...extra,
})

type Handler = (req: Request, url: URL) => Response | Promise<Response> | undefined

function serve(handler: Handler) {
  const calls: { method: string; path: string; body: unknown }[] = []
  vi.stubGlobal('fetch', async (req: Request) => {
    const url = new URL(req.url)
    const body = req.method === 'GET' ? null : await req.clone().text().then((t) => (t ? JSON.parse(t) : null))
    calls.push({ method: req.method, path: url.pathname, body })
    return (await handler(req, url)) ?? json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
  return calls
}

async function mountAt(component: Component, path = '/', props: Record<string, unknown> = {}) {
  const { router, session, brand } = createShell('console', [
    { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
    { path: '/signup', name: 'signup', component: { template: '<div />' }, meta: { public: true } },
    { path: '/signup/:id', name: 'signup-progress', component: { template: '<div />' }, meta: { public: true } },
    { path: '/', name: 'home', component: { template: '<div />' }, meta: { public: true } },
  ], createMemoryHistory())
  await router.push(path)
  session.me.value = { id: 1, mobile: '13566667777', name: '管理员', roles: ['tenant_admin', 'platform_admin'],
    scope: { kind: 'tenant', schema_name: 'huaxin', name: '华信' } } as never
  const wrapper = mount(component, {
    props,
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
  })
  await flushPromises()
  return { wrapper, router }
}

resetBetweenTests()

describe('signup', () => {
  it('sends the form with one request id, shows each field error, then goes to the progress page', async () => {
    let answer = json(400, { code: 'invalid', message: '注册信息有误',
      fields: { uscc: ['统一社会信用代码校验位不正确'], subdomain: ['子域名 datang 已被占用'] } })
    const calls = serve((_req, url) => {
      if (url.pathname === '/api/v1/signup/plans/') return json(200, [basic, pro])
      if (url.pathname === '/api/v1/signup/sms/') return json(202, { sent: true, expires_in: 300 })
      if (url.pathname === '/api/v1/signup/') return answer
    })
    const { router } = await mountAt(SignupPage, '/signup')
    expect(byTestId('signup-plans').textContent).toContain('专业版 ¥999.00/月')
    await fill('signup-company', '华信保险经纪有限公司')
    await fill('signup-uscc', '91440300MA5G123450')
    await fill('signup-mobile', '13566667777')
    byTestId('signup-send-code').click()
    await flushPromises()
    expect(byTestId('signup-send-code').textContent).toContain('60 秒后重发')
    await fill('signup-code', '123456')
    await fill('signup-subdomain', 'datang')
    await fill('signup-admin-name', '华信管理员')
    await fill('signup-password', 'Huaxin@2026')
    byTestId('signup-submit').click()
    await settle()
    expect(errorNextTo('signup-uscc')).toBe('统一社会信用代码校验位不正确')
    expect(errorNextTo('signup-subdomain')).toBe('子域名 datang 已被占用')
    expect(errorNextTo('signup-company')).toBeUndefined()
    expect(byTestId('signup-error').textContent).toBe('注册信息有误')

    answer = json(202, signup('queued', '等待开通'))
    await fill('signup-subdomain', 'huaxin')
    byTestId('signup-submit').click()
    await settle()
    const posts = calls.filter((c) => c.path === '/api/v1/signup/')
    expect(posts).toHaveLength(2)
    const [first, second] = posts.map((c) => c.body as Record<string, string>)
    expect(first.request_id).toBe(second.request_id) // the same form: one signup however often it is sent
    expect(second).toMatchObject({ company_name: '华信保险经纪有限公司', contact_mobile: '13566667777', sms_code: '123456',
      subdomain: 'huaxin', plan: 'basic', kind: 'brokerage', admin_password: 'Huaxin@2026' })
    expect(calls.find((c) => c.path === '/api/v1/signup/sms/')?.body).toEqual({ mobile: '13566667777' })
    expect(router.currentRoute.value.params.id).toBe(signup('queued', '').id)
  })

  it('polls the progress until ready, then links to the new console', async () => {
    // the server moves on only when the test says so: a loaded machine may poll many times per step
    const answers = [signup('queued', '等待开通'), signup('provisioning', '创建并迁移数据库模式'),
      signup('ready', '开通完成', { console_url: 'http://huaxin.localhost/console/' })]
    let step = 0
    const calls = serve((_req, url) => {
      if (url.pathname.startsWith('/api/v1/signup/')) return json(200, answers[step])
    })
    await mountAt(SignupProgressPage, `/signup/${signup('queued', '').id}`, { pollMs: 10 })
    expect(byTestId('signup-status').dataset.status).toBe('queued')
    step = 1
    await vi.waitFor(() => expect(byTestId('signup-status').dataset.status).toBe('provisioning'))
    step = 2
    await vi.waitFor(() => expect(byTestId('signup-status').dataset.status).toBe('ready'))
    const polled = calls.length
    await new Promise((r) => setTimeout(r, 50))
    expect(calls.length).toBe(polled) // settled: polling stopped
  })

  it('进入我的控制台 asks a one-time sign-in link with the request id this tab signed up with', async () => {
    const id = signup('ready', '').id
    window.sessionStorage.setItem(`sxb.signup.request.${id}`, 'f3a1c2d4-0000-4000-8000-000000000001')
    const signinUrl = 'http://huaxin.localhost/console/#/login?ticket=T0k3n'
    let ticketAnswer = json(200, { signin_url: signinUrl, expires_in: 120 })
    const calls = serve((_req, url) => {
      if (url.pathname === `/api/v1/signup/${id}/ticket/`) return ticketAnswer
      if (url.pathname === `/api/v1/signup/${id}/`) return json(200, signup('ready', '开通完成', { console_url: 'http://huaxin.localhost/console/' }))
    })
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {})
    await mountAt(SignupProgressPage, `/signup/${id}`, { pollMs: 10 })
    byTestId('signup-console-link').click()
    await flushPromises()
    expect(calls.find((c) => c.path.endsWith('/ticket/'))?.body).toEqual({ request_id: 'f3a1c2d4-0000-4000-8000-000000000001' })
    expect(assign).toHaveBeenLastCalledWith(signinUrl)
    expect(window.sessionStorage.getItem(`sxb.signup.request.${id}`)).toBeNull() // asked once

    // a second click (or another tab): no request id, or a refused ticket -> the plain login page
    ticketAnswer = json(409, { code: 'state_conflict', message: '已自动登录过一次，请用手机号和密码登录', fields: {} })
    byTestId('signup-console-link').click()
    await flushPromises()
    expect(assign).toHaveBeenLastCalledWith('http://huaxin.localhost/console/')
    assign.mockRestore()
  })

  it('offers a retry after a failure and polls again', async () => {
    let current = signup('failed', '开通失败', { error: '系统错误' })
    const calls = serve((_req, url) => {
      if (url.pathname.endsWith('/retry/')) {
        current = signup('queued', '等待重试')
        return json(202, current)
      }
      if (url.pathname.startsWith('/api/v1/signup/')) return json(200, current)
    })
    await mountAt(SignupProgressPage, `/signup/${signup('failed', '').id}`, { pollMs: 10 })
    expect(byTestId('signup-failure').textContent).toContain('系统错误')
    current = signup('failed', '开通失败', { error: '系统错误' })
    byTestId('signup-retry').click()
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      `/api/v1/signup/${signup('x', '').id}/retry/`,
    ])
    current = signup('ready', '开通完成', { console_url: 'http://huaxin.localhost/console/' })
    await vi.waitFor(() => expect(byTestId('signup-status').dataset.status).toBe('ready'))
  })
})

describe('billing and revenue', () => {
  it('shows the plan, trial, usage against limits and the invoices', async () => {
    serve((_req, url) => {
      if (url.pathname === '/api/v1/billing/') {
        return json(200, {
          plan: basic, trial_ends_at: '2099-01-01T00:00:00Z', current_period_end: null, has_stripe_subscription: false,
          state: { status: 'past_due', status_label: '逾期未付', banner: '订阅逾期未付，请在 2026-12-01 08:00 前完成付款',
            read_only: false, grace_ends_at: '2026-12-01T00:00:00Z' },
          usage: { agents: 10, customers: 120, storage_mb: 3 }, plans: [basic, pro],
        })
      }
      if (url.pathname === '/api/v1/billing/invoices/') {
        return json(200, page([{ id: 1, number: 'SXB-0001', status: 'open', amount_due: '299.00', amount_paid: '0.00',
          currency: 'cny', hosted_invoice_url: 'https://invoice.stripe.com/i/in_1', period_start: null,
          period_end: null, issued_at: '2026-11-20T00:00:00Z', paid_at: null }]))
      }
    })
    await mountAt(BillingPage)
    expect(byTestId('billing-plan').textContent).toBe('基础版 ¥299.00/月')
    expect(byTestId('billing-status').textContent?.trim()).toBe('逾期未付')
    expect(document.body.textContent).toContain('请在 2026-12-01 08:00 前完成付款')
    expect(byTestId('usage-agents').textContent).toContain('10 / 10')
    expect(byTestId('usage-agents').querySelector('.is-exception')).not.toBeNull() // full
    expect(byTestId('usage-customers').textContent).toContain('120 / 500')
    expect(byTestId('billing-plans').textContent).toContain('专业版')
    expect(byTestId('billing-plans').textContent).not.toContain('基础版')
    const invoices = byTestId('billing-invoices').textContent ?? ''
    expect(invoices).toContain('SXB-0001')
    expect(invoices).toContain('¥299.00')
    expect(invoices).toContain('待支付')
    expect(byTestId('billing-invoices').querySelector('a')?.getAttribute('href')).toBe('https://invoice.stripe.com/i/in_1')
  })

  it('shows the total MRR and each tenant with its usage', async () => {
    serve((_req, url) => {
      if (url.pathname === '/api/v1/platform/subscriptions/') {
        return json(200, { total_mrr: '1298.00', paying: 2, tenants: [
          { tenant_id: 2, tenant_name: '大唐保险经纪有限公司', schema_name: 'datang', is_active: true, status: 'active',
            status_label: '正常', read_only: false, plan: basic, trial_ends_at: null,
            usage: { agents: 4, customers: 37, storage_mb: 12 }, mrr: '299.00' },
        ] })
      }
      if (url.pathname === '/api/v1/platform/plans/') return json(200, [basic, pro])
    })
    await mountAt(RevenuePage)
    expect(byTestId('total-mrr').textContent).toContain('1,298.00')
    const table = byTestId('revenue-table').textContent ?? ''
    expect(table).toContain('大唐保险经纪有限公司')
    expect(table).toContain('4 / 10')
    expect(table).toContain('37 / 500')
    expect(table).toContain('¥299.00')
    expect(byTestId('plan-table').textContent).toContain('专业版')
  })
})
