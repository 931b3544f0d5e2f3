import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, RouterView } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from './context'
import LoginPage from './LoginPage.vue'
import { byTestId, json } from './testing'

const finance = {
  id: 5,
  mobile: '13600136005',
  name: '财务',
  roles: ['finance'],
  scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' },
}

async function loginAt(path: string) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url).pathname
      if (url === '/api/v1/auth/token/') return json(200, { token: 'tok', user: finance, roles: finance.roles })
      if (url === '/api/v1/me/') return json(200, finance)
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    }),
  )
  const { router, session, brand } = createShell(
    'console',
    [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      { path: '/', name: 'home', component: { template: '<div />' } },
      { path: '/settlement', name: 'settlement', component: { template: '<div />' } },
    ],
    createMemoryHistory(),
  )
  await router.push(path)
  mount(RouterView, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
  })
  await flushPromises()
  for (const [id, value] of [['login-mobile', finance.mobile], ['login-password', 'secret']]) {
    const input = (byTestId(id).matches('input') ? byTestId(id) : byTestId(id).querySelector('input')) as HTMLInputElement
    input.value = value
    input.dispatchEvent(new Event('input'))
  }
  await flushPromises()
  ;(byTestId('login-submit') as HTMLButtonElement).click()
  await flushPromises()
  return router
}

beforeEach(() => {
  window.localStorage.clear()
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

describe('console login', () => {
  it('returns to the page that was asked for', async () => {
    const router = await loginAt('/settlement?period=2026-11')
    expect(router.currentRoute.value.fullPath).toBe('/settlement?period=2026-11')
  })

  it.each(['https://evil.example/settlement', '//evil.example', '/\\evil.example', 'javascript:alert(1)'])(
    'goes home instead of the forged target %j',
    async (target) => {
      const router = await loginAt(`/login?redirect=${encodeURIComponent(target)}`)
      expect(router.currentRoute.value.fullPath).toBe('/')
    },
  )
})
