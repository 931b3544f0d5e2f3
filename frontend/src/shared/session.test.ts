import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { mayUse, roleRefusal, useSession } from './session'
import { createShell } from './shell'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const me = (roles: string[]) => ({
  id: 7,
  mobile: '13800000001',
  name: '王海峰',
  roles,
  scope: { kind: 'tenant', schema_name: 'datang', name: '大唐保险经纪有限公司' },
})

/** A fake server: /auth/token/ answers with `roles`, /me/ with the same user. */
function server(roles: string[]) {
  return vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname
    if (path === '/api/v1/auth/token/') return json(200, { token: 'tok-datang', user: me(roles), roles })
    if (path === '/api/v1/me/') {
      return req.headers.get('Authorization') === 'Bearer tok-datang'
        ? json(200, me(roles))
        : json(401, { code: 'not_authenticated', message: '请先登录', fields: {} })
    }
    if (path === '/api/v1/auth/logout/') return new Response(null, { status: 204 })
    return json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
}

beforeEach(() => window.localStorage.clear())
afterEach(() => vi.unstubAllGlobals())

describe('role guard', () => {
  it('lets each role into its own app only', () => {
    expect(mayUse('agent', 'tenant', ['agent'])).toBe(true)
    expect(mayUse('agent', 'tenant', ['owner'])).toBe(false)
    expect(mayUse('owner', 'tenant', ['owner', 'agent'])).toBe(true)
    expect(mayUse('console', 'tenant', ['finance'])).toBe(true)
    expect(mayUse('console', 'tenant', ['tenant_admin'])).toBe(true)
    expect(mayUse('console', 'tenant', ['agent'])).toBe(false)
    expect(mayUse('console', 'tenant', ['platform_admin'])).toBe(false)
    expect(mayUse('console', 'public', ['platform_admin'])).toBe(true)
    expect(mayUse('console', 'public', ['shop_staff'])).toBe(true)
    expect(mayUse('console', 'public', ['tenant_admin'])).toBe(false)
    expect(mayUse('agent', 'public', ['agent'])).toBe(false)
  })

  it('says why a login is refused', () => {
    expect(roleRefusal('agent', 'tenant')).toBe('该账号不是本租户的代理人')
    expect(roleRefusal('owner', 'tenant')).toBe('该账号不是本租户的车主')
    expect(roleRefusal('console', 'tenant')).toBe('该账号不是本租户的管理员或财务')
    expect(roleRefusal('console', 'public')).toBe('该账号不是平台账号')
  })
})

describe('session', () => {
  it('an agent logs in to the agent app and the token is kept under the agent key', async () => {
    vi.stubGlobal('fetch', server(['agent']))
    const session = useSession('agent', () => 'tenant', () => {})
    const who = await session.loginWithPassword('13800000001', 'secret')
    expect(who.name).toBe('王海峰')
    expect(window.localStorage.getItem('sxb.token.agent')).toBe('tok-datang')
    await session.logout()
    expect(window.localStorage.getItem('sxb.token.agent')).toBeNull()
  })

  it('an owner is refused by the agent app and no token is kept', async () => {
    vi.stubGlobal('fetch', server(['owner']))
    const session = useSession('agent', () => 'tenant', () => {})
    await expect(session.loginWithPassword('13800000002', 'secret')).rejects.toThrow('该账号不是本租户的代理人')
    expect(window.localStorage.getItem('sxb.token.agent')).toBeNull()
  })
})

describe('router guard', () => {
  const routes = [
    { path: '/login', name: 'login', component: {}, meta: { public: true } },
    { path: '/', name: 'home', component: {} },
  ]

  it('sends a visitor without a token to the login page', async () => {
    vi.stubGlobal('fetch', server(['agent']))
    const { router } = createShell('agent', routes, createMemoryHistory())
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('keeps the page asked for in ?redirect= on the way to the login page', async () => {
    vi.stubGlobal('fetch', server(['agent']))
    const { router } = createShell(
      'agent',
      [...routes, { path: '/quotes', name: 'quotes', component: {} }],
      createMemoryHistory(),
    )
    await router.push('/quotes?status=sent')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/quotes?status=sent')
  })

  it('lets a stored token with the right role straight in', async () => {
    vi.stubGlobal('fetch', server(['agent']))
    window.localStorage.setItem('sxb.token.agent', 'tok-datang')
    const { router, session } = createShell('agent', routes, createMemoryHistory())
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('home')
    expect(session.me.value?.name).toBe('王海峰')
  })

  it('forgets a stored token whose user lacks the role', async () => {
    vi.stubGlobal('fetch', server(['owner']))
    window.localStorage.setItem('sxb.token.agent', 'tok-datang')
    const { router } = createShell('agent', routes, createMemoryHistory())
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('login')
    expect(window.localStorage.getItem('sxb.token.agent')).toBeNull()
  })

  it('forgets a token the server no longer accepts', async () => {
    vi.stubGlobal('fetch', server(['agent']))
    window.localStorage.setItem('sxb.token.agent', 'tok-from-another-host')
    const { router } = createShell('agent', routes, createMemoryHistory())
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('login')
    expect(window.localStorage.getItem('sxb.token.agent')).toBeNull()
  })
})
