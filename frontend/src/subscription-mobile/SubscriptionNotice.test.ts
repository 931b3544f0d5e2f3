import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { MOBILE } from '@shared/mobile/context'
import { useSession } from '@shared/session'
import SubscriptionNotice from './SubscriptionNotice.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function mountWith(state: unknown, scope: 'tenant' | 'public' = 'tenant') {
  const fetchMock = vi.fn(async () => json(200, state))
  vi.stubGlobal('fetch', fetchMock)
  const session = useSession('agent', () => scope, () => undefined)
  session.me.value = { id: 7, mobile: '13700001011', name: '王海峰', roles: ['agent'],
    scope: { kind: scope, schema_name: 'datang', name: '大唐' } } as never
  const brand = { branding: ref({ scope }) }
  const wrapper = mount(SubscriptionNotice, { global: { provide: { [MOBILE as symbol]: { session, brand } } } })
  await flushPromises()
  return { wrapper, fetchMock }
}

afterEach(() => vi.unstubAllGlobals())

describe('subscription notice', () => {
  it('shows the banner of a lapsed tenant, in red once read-only', async () => {
    const { wrapper } = await mountWith({ status: 'past_due', status_label: '逾期未付', read_only: true,
      banner: '订阅已逾期且超过宽限期，系统当前为只读模式', grace_ends_at: '2026-12-01T00:00:00Z' })
    const bar = wrapper.find('[data-testid="subscription-notice"]')
    expect(bar.text()).toContain('系统当前为只读模式')
    expect(bar.attributes('style')).toMatch(/ee0a24|238, 10, 36/i)
  })

  it('shows nothing for a tenant in good standing, and asks nothing on the platform host', async () => {
    const ok = await mountWith({ status: 'active', status_label: '正常', read_only: false, banner: '', grace_ends_at: null })
    expect(ok.wrapper.find('[data-testid="subscription-notice"]').exists()).toBe(false)
    const platform = await mountWith({}, 'public')
    expect(platform.fetchMock).not.toHaveBeenCalled()
  })
})
