import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '../shell'
import { MOBILE } from './context'
import LoginPage from './LoginPage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const owner = {
  id: 9,
  mobile: '13900000009',
  name: '赵车主',
  roles: ['owner'],
  scope: { kind: 'tenant', schema_name: 'datang', name: '大唐保险经纪有限公司' },
}

function fakeServer() {
  return vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname
    if (path === '/api/v1/auth/token/') return json(200, { token: 'tok', user: owner, roles: owner.roles })
    if (path === '/api/v1/auth/sms/send/') return json(202, { sent: true, expires_in: 300 })
    if (path === '/api/v1/me/') return json(200, owner)
    return json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
}

async function mountLogin(app: 'owner' | 'agent', at = '/login') {
  const { router, session, brand } = createShell(
    app,
    [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      { path: '/', name: 'home', component: { template: '<div />' } },
      { path: '/mine', name: 'mine', component: { template: '<div />' } },
    ],
    createMemoryHistory(),
  )
  await router.push(at)
  const wrapper = mount(LoginPage, {
    global: {
      plugins: [router],
      provide: { [MOBILE as symbol]: { app, roleLabel: '', allowSms: app === 'owner', entries: [], session, brand } },
    },
  })
  return { wrapper, router }
}

beforeEach(() => window.localStorage.clear())
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('mobile login page', () => {
  it('tells an owner that this is the agent app and stays on the login page', async () => {
    vi.stubGlobal('fetch', fakeServer())
    const { wrapper, router } = await mountLogin('agent')
    await wrapper.find('input[data-testid="login-mobile"]').setValue('13900000009')
    await wrapper.find('input[data-testid="login-password"]').setValue('secret')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('该账号不是本租户的代理人')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('sends an SMS code and counts 60 seconds down before it may resend', async () => {
    vi.useFakeTimers()
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    const { wrapper } = await mountLogin('owner')
    const resend = () => wrapper.findAll('button').find((b) => b.attributes('type') === 'button')!
    await wrapper.find('input[data-testid="login-mobile"]').setValue('13900000009')
    await resend().trigger('click')
    await flushPromises()
    expect(resend().text()).toBe('60 秒后重发')
    expect(resend().attributes('disabled')).toBeDefined()
    await vi.advanceTimersByTimeAsync(59_000)
    expect(resend().text()).toBe('1 秒后重发')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(resend().text()).toBe('获取验证码')
    expect(fetchMock).toHaveBeenCalledOnce()
  })

  it('checks the mobile number before asking for a code', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    const { wrapper } = await mountLogin('owner')
    await wrapper.find('input[data-testid="login-mobile"]').setValue('1390')
    await wrapper.findAll('button').find((b) => b.attributes('type') === 'button')!.trigger('click')
    await flushPromises()
    expect(wrapper.text()).toContain('请输入 11 位手机号')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('logs an owner in with a password and goes home', async () => {
    vi.stubGlobal('fetch', fakeServer())
    const { wrapper, router } = await mountLogin('owner')
    await wrapper.find('[data-testid="login-tab-password"]').trigger('click')
    await flushPromises()
    await wrapper.find('input[data-testid="login-mobile"]').setValue('13900000009')
    await wrapper.find('input[data-testid="login-password"]').setValue('secret')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('home')
    expect(window.localStorage.getItem('sxb.token.owner')).toBe('tok')
  })

  it('returns to the page asked for after logging in', async () => {
    vi.stubGlobal('fetch', fakeServer())
    const { wrapper, router } = await mountLogin('owner', '/mine?tab=cars')
    expect(router.currentRoute.value.query.redirect).toBe('/mine?tab=cars')
    await wrapper.find('[data-testid="login-tab-password"]').trigger('click')
    await wrapper.find('input[data-testid="login-mobile"]').setValue('13900000009')
    await wrapper.find('input[data-testid="login-password"]').setValue('secret')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/mine?tab=cars')
  })

  it.each(['https://evil.example/', '//evil.example', '/\\evil.example'])(
    'refuses a forged target %j and goes home',
    async (target) => {
      vi.stubGlobal('fetch', fakeServer())
      const { wrapper, router } = await mountLogin('owner', `/login?redirect=${encodeURIComponent(target)}`)
      await wrapper.find('[data-testid="login-tab-password"]').trigger('click')
      await wrapper.find('input[data-testid="login-mobile"]').setValue('13900000009')
      await wrapper.find('input[data-testid="login-password"]').setValue('secret')
      await wrapper.find('form').trigger('submit')
      await flushPromises()
      expect(router.currentRoute.value.name).toBe('home')
      expect(router.currentRoute.value.fullPath).toBe('/')
    },
  )

  it('asks an agent who is also a tenant admin for the SMS code, posts it as otp, and signs in', async () => {
    const bothRoles = { ...owner, id: 12, mobile: '13800000012', name: '钱双岗', roles: ['agent', 'tenant_admin'] }
    const bodies: unknown[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname
        if (path === '/api/v1/auth/token/') {
          const body = (await req.json()) as { otp?: string }
          bodies.push(body)
          if (!body.otp) {
            const message = '验证码已发送至 138****0012，请输入短信验证码'
            return json(401, { code: 'otp_required', message, fields: { otp: [message] } })
          }
          return json(200, { token: 'tok2', user: bothRoles, roles: bothRoles.roles })
        }
        if (path === '/api/v1/me/') return json(200, bothRoles)
        return json(404, { code: 'not_found', message: '未找到', fields: {} })
      }),
    )
    const { wrapper, router } = await mountLogin('agent')
    expect(wrapper.find('input[data-testid="login-otp"]').exists()).toBe(false)
    await wrapper.find('input[data-testid="login-mobile"]').setValue('13800000012')
    await wrapper.find('input[data-testid="login-password"]').setValue('secret')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="login-otp-hint"]').text()).toBe('验证码已发送至 138****0012，请输入短信验证码')
    expect(wrapper.find('[data-testid="login-error"]').exists()).toBe(false)
    await wrapper.find('input[data-testid="login-otp"]').setValue('482913')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(bodies).toEqual([
      { mobile: '13800000012', password: 'secret' },
      { mobile: '13800000012', password: 'secret', otp: '482913' },
    ])
    expect(router.currentRoute.value.name).toBe('home')
    expect(window.localStorage.getItem('sxb.token.agent')).toBe('tok2')
  })

  it('shows the server message for a wrong code and stays on the code step', async () => {
    const bodies: unknown[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname
        if (path === '/api/v1/auth/token/') {
          const body = (await req.json()) as { otp?: string }
          bodies.push(body)
          if (!body.otp) {
            const message = '请输入身份验证器中的 6 位动态码'
            return json(401, { code: 'otp_required', message, fields: { otp: [message] } })
          }
          return json(401, { code: 'sms_code_invalid', message: '验证码不正确', fields: { otp: ['验证码不正确'] } })
        }
        return json(404, { code: 'not_found', message: '未找到', fields: {} })
      }),
    )
    const { wrapper, router } = await mountLogin('agent')
    await wrapper.find('input[data-testid="login-mobile"]').setValue('13800000012')
    await wrapper.find('input[data-testid="login-password"]').setValue('secret')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="login-otp-hint"]').text()).toBe('请输入身份验证器中的 6 位动态码')
    await wrapper.find('input[data-testid="login-otp"]').setValue('000000')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="login-error"]').text()).toBe('验证码不正确')
    expect(wrapper.find('.van-field__error-message').text()).toBe('验证码不正确')
    expect(wrapper.find('input[data-testid="login-otp"]').exists()).toBe(true)
    expect(bodies).toHaveLength(2)
    expect(router.currentRoute.value.name).toBe('login')
    expect(window.localStorage.getItem('sxb.token.agent')).toBeNull()
  })
})
