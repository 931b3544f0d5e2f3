import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { MOBILE } from '@shared/mobile/context'
import { createShell } from '@shared/shell'
import ServiceOrderPage from './ServiceOrderPage.vue'

/** The owner's approval of a repair estimate commits the work and its price: a dialog with the
 * amount first, nothing posted until it is confirmed. */

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const item = (id: number, name: string, unit_price: string, quantity: string, amount: string) => ({
  id, kind: 'labour', name, unit_price, quantity, amount, owner_decision: 'pending', insurer_decision: 'pending',
}) // prettier-ignore

const order = (state: string, actions: string[]) => ({
  id: 3, no: 'S20261206001', state, state_label: state === 'quoted' ? '待确认报价' : '已确认', tenant_name: '大唐',
  shop: { id: 1, name: '福瑞卡长沙岳麓店', phone: '0731-1234', address: '' }, insurer: null, claim_no: '',
  plate: '湘A12345', vehicle_model: '', customer_id: 1, customer_name: '孙车主', customer_mobile: '13900001021',
  service: '常规保养', description: '保养', mileage_km: null, quoted_total: '1036.00', item_count: 2, settled_amount: null,
  insurer_pays: null, created_at: '2026-12-06T10:00:00+08:00', updated_at: '2026-12-06T10:00:00+08:00',
  items: [item(11, '机油机滤', '388.00', '1', '388.00'), item(12, '钣金喷漆工时', '648.00', '1', '648.00')],
  progress: [], review: null, approved_total: '388.00', owner_approved_at: null, insurer_approved_at: null, actions,
}) // prettier-ignore

const mounted: { unmount: () => void }[] = []
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 350))
  vi.unstubAllGlobals()
  window.localStorage.clear()
  mounted.splice(0).forEach((w) => w.unmount())
})

describe('service order on the owner H5', () => {
  it('asks before approving, with the checked items and their amount', async () => {
    const posted: unknown[] = []
    window.localStorage.setItem('sxb.token.owner', 'tok')
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname
      if (path === '/api/v1/service-orders/3/' && req.method === 'GET') return json(200, order('quoted', ['approve', 'cancel']))
      if (path === '/api/v1/service-orders/3/approve/') {
        posted.push(await req.json())
        return json(200, order('approved', []))
      }
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })) // prettier-ignore
    const { router, session, brand } = createShell('owner', [{ path: '/service-orders/:id', name: 'service-order', component: ServiceOrderPage }], createMemoryHistory())
    session.me.value = { id: 9, mobile: '13900001021', name: '孙车主', roles: ['owner'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐' } } as never
    await router.push('/service-orders/3')
    const wrapper = mount(ServiceOrderPage, {
      attachTo: document.body,
      global: { plugins: [router], provide: { [MOBILE as symbol]: { app: 'owner', roleLabel: '', allowSms: false, entries: [], session, brand } } },
    })
    mounted.push(wrapper)
    await flushPromises()
    // the owner leaves out the bodywork: 388.00 of 1,036.00
    await wrapper.find('[data-testid="service-item-钣金喷漆工时"] .van-checkbox').trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="service-approve"]').trigger('click')
    await flushPromises()
    await vi.waitFor(() => expect(document.querySelector('.van-dialog')?.textContent).toContain('确认 1 项维修，合计 ¥388.00（不做 1 项）'))
    expect(posted).toEqual([])
    ;(document.querySelector('.van-dialog__confirm') as HTMLElement).click()
    await vi.waitFor(() => expect(posted).toEqual([{ items: [{ item: 11, decision: 'approved' }, { item: 12, decision: 'declined' }] }]))
    await vi.waitFor(() => expect(wrapper.find('[data-testid="service-order-state"]').text()).toBe('已确认'))
  })
})
