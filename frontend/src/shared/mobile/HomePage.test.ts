import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { MOBILE } from './context'
import { createShell } from '../shell'
import HomePage from './HomePage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

afterEach(async () => {
  await new Promise((r) => setTimeout(r, 350))
  vi.unstubAllGlobals()
  window.localStorage.clear()
})

describe('mobile home: the 政策 tile', () => {
  it('carries its own badge: the unread 政策推送, not the inbox messages', async () => {
    window.localStorage.setItem('sxb.token.agent', 'tok')
    const asked: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request | string) => {
        const url = new URL(typeof input === 'string' ? new URL(input, window.location.origin) : input.url)
        asked.push(url.pathname)
        if (url.pathname === '/api/v1/notices/unread/') return json(200, { announcements: 2, notifications: 5, total: 7 })
        return json(401, { code: 'not_authenticated', message: '请登录', fields: {} })
      }),
    )
    const { router, session, brand } = createShell('agent', [{ path: '/', name: 'home', component: HomePage }], createMemoryHistory())
    session.me.value = { id: 9, mobile: '13655570002', name: '孙专员', roles: ['agent'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
    const entries = [
      { key: 'quote', label: '快速报价', icon: 'balance-o', route: 'quote' },
      { key: 'policies', label: '政策', icon: 'bullhorn-o', route: 'messages', badge: 'announcements' as const },
    ]
    await router.push('/')
    const wrapper = mount(HomePage, {
      global: { plugins: [router], provide: { [MOBILE as symbol]: { app: 'agent', roleLabel: '代理人', allowSms: false, entries, session, brand } } },
    })
    await flushPromises()
    expect(asked).toContain('/api/v1/notices/unread/')
    expect(wrapper.get('[data-testid="entry-policies"] .van-badge').text()).toBe('2')
    expect(wrapper.find('[data-testid="entry-quote"] .van-badge').exists()).toBe(false)
    wrapper.unmount()
  })
})
