import type { VueWrapper } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import TenantServiceOrdersPage from './TenantServiceOrdersPage.vue'
import { byTestId, FURUIKA_ADMIN, json, mountConsolePage, page, resetBetweenTests, settle } from '../testing'

vi.mock('@shared/realtime', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@shared/realtime')>()),
  subscribeRealtime: () => () => {},
}))

const yuelu = { id: 3, name: '福瑞卡岳麓店', address: '长沙市岳麓区麓山南路 88 号', phone: '0731-88880000' }
const yuhua = { id: 4, name: '雨花汽修', address: '长沙市雨花区', phone: '' }
const order = {
  id: 40, no: 'SO20261125000040', state: 'settled', state_label: '已结算', tenant_name: '大唐经纪', shop: yuelu, insurer: null,
  claim_no: '', plate: '湘A54321', vehicle_model: '丰田卡罗拉', customer_id: 11, customer_name: '周车主', customer_mobile: '13644458021',
  service: '保养', description: '5000 公里保养', mileage_km: 15230, quoted_total: '387.00', item_count: 2,
  settled_amount: '387.00', insurer_pays: '0.00', created_at: '2026-11-25T01:30:00Z', updated_at: '2026-11-25T06:30:00Z',
} // prettier-ignore
const detail = {
  ...order, approved_total: '387.00', owner_approved_at: '2026-11-25T02:00:00Z', insurer_approved_at: null, review: null, actions: [],
  items: [
    { id: 1, kind: 'part', part: 7, name: '机油 5W-30', quantity: '4.00', unit_price: '68.00', amount: '272.00',
      note: '', photos: [], owner_decision: 'approved', insurer_decision: 'approved', approved: true },
    { id: 2, kind: 'labour', part: null, name: '更换机油工时', quantity: '1.00', unit_price: '115.00', amount: '115.00',
      note: '', photos: [], owner_decision: 'approved', insurer_decision: 'approved', approved: true },
  ],
  progress: [{ state: 'settled', title: '已结算', note: '', photos: [], actor_name: '岳麓店技师老李', actor_role: 'shop', at: '2026-11-25T06:30:00Z' }],
} // prettier-ignore

let wrapper: VueWrapper | null = null

resetBetweenTests(() => {
  wrapper?.unmount()
  wrapper = null
})

describe('console: 售后工单 (tenant staff)', { timeout: 30000 }, () => {
  it('lists every order of the tenant with its shop, filters by shop, and opens one read-only, never with purchase prices (the API sends the tenant none)', async () => {
    const fetchMock = vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      if (url.pathname === '/api/v1/service-orders/') return json(200, page([order]))
      if (url.pathname === '/api/v1/service-orders/options/') return json(200, { insurers: [], services: ['保养'], shops: [yuelu, yuhua] })
      if (url.pathname === '/api/v1/service-orders/40/') return json(200, detail)
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    vi.stubGlobal('fetch', fetchMock)
    wrapper = await mountConsolePage(TenantServiceOrdersPage, FURUIKA_ADMIN)

    const cells = [...byTestId('tso-row-SO20261125000040').querySelectorAll('td')].map((td) => td.textContent?.trim())
    // the customer without the tenant's own name under it; the shop doing the work
    expect(cells.slice(0, 9)).toEqual(['SO20261125000040', '湘A54321', '丰田卡罗拉', '周车主', '福瑞卡岳麓店', '保养', '—', '已结算', '¥387.00'])
    const headers = [...document.querySelectorAll('[data-testid="tso-table"] th, .el-table__header th')].map((th) => th.textContent?.trim())
    expect(headers).toContain('报价')
    expect(headers).not.toContain('成本')
    expect(byTestId('tso-total').textContent).toBe('共1条记录，当前显示第 1 页')

    const options = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')]
    options.find((o) => o.textContent?.trim() === '雨花汽修')!.click()
    await settle()
    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(last.pathname).toBe('/api/v1/service-orders/')
    expect(Object.fromEntries(last.searchParams)).toEqual({ page: '1', page_size: '20', shop: '4' })

    byTestId('tso-row-SO20261125000040').querySelector('td')!.click()
    await settle()
    expect(document.querySelector('.el-drawer__title')?.textContent).toBe('售后工单 SO20261125000040')
    expect(document.querySelectorAll('[data-testid="tso-item-cost"]')).toHaveLength(0)
    expect(document.querySelector('[data-testid="so-total-cost"]')).toBeNull()
    expect(byTestId('tso-drawer').textContent).not.toContain('采购价')
    expect(byTestId('so-total-settled').textContent).toBe('¥387.00')
    // the shop takes the steps: no buttons here
    expect(byTestId('tso-drawer').querySelectorAll('.buttons button')).toHaveLength(0)
    expect(fetchMock.mock.calls.filter(([r]) => r.method === 'POST')).toHaveLength(0)
  })
})
