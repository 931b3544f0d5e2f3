import type { RealtimeData, RealtimeHandler } from '@shared/realtime'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from '../context'
import InsurerClaimsPage from './InsurerClaimsPage.vue'
import { allByTestId, byTestId, json, page, resetBetweenTests, settle } from '../testing'

const push = vi.hoisted(() => ({ handler: null as null | RealtimeHandler, stopped: 0 }))
vi.mock('@shared/realtime', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@shared/realtime')>()),
  subscribeRealtime: (handler: RealtimeHandler) => {
    push.handler = handler
    return () => {
      push.stopped += 1
    }
  },
}))

const picc = { id: 1, code: 'PICC', short_name: '人保财险' }
const yuelu = { id: 3, name: '岳麓店', address: '长沙市岳麓区麓山南路 1 号', phone: '0731-88880000' }
const claim = {
  id: 52, no: 'SO20261126000052', state: 'quoted', state_label: '待确认报价', tenant_name: '大唐经纪', shop: yuelu, insurer: picc,
  claim_no: 'RDAA2026430100002', plate: '湘A8E2E8', vehicle_model: '大众帕萨特', customer_id: 11, customer_name: '孙车主',
  customer_mobile: '13644458021', service: '事故车维修', description: '左前叶子板刮擦', mileage_km: null, quoted_total: '1240.00',
  cost_total: '620.00', item_count: 2, settled_amount: null, insurer_pays: null, created_at: '2026-11-26T01:30:00Z',
  updated_at: '2026-11-26T01:40:00Z',
} // prettier-ignore
const item = (id: number, name: string, kind: string, unit_price: string, unit_cost: string, owner: string) => ({
  id, kind, part: kind === 'part' ? 7 : null, name, quantity: '1.00', unit_price, amount: unit_price, unit_cost, cost_amount: unit_cost,
  note: '', photos: [], owner_decision: owner, insurer_decision: 'pending', approved: false,
}) // prettier-ignore
const claimDetail = {
  ...claim,
  items: [item(61, '左前叶子板', 'part', '640.00', '360.00', 'approved'), item(62, '钣金喷漆工时', 'labour', '600.00', '260.00', 'approved')],
  progress: [{ state: 'quoted', title: '门店已报价', note: '报价合计 1240.00 元', photos: [], actor_name: '岳麓技师', actor_role: 'shop', at: '2026-11-26T01:40:00Z' }],
  review: null,
  approved_total: '0.00',
  owner_approved_at: '2026-11-26T01:45:00Z',
  insurer_approved_at: null,
  actions: ['approve'],
} // prettier-ignore
const stats = {
  insurer: picc,
  shops: [
    { shop_id: 3, shop_name: '岳麓店', orders: 2, amount: '2480.00', cost: '1240.00' },
    { shop_id: 4, shop_name: '河西店', orders: 1, amount: '900.00', cost: '500.00' },
  ],
  parts: [
    { name: '左前叶子板', shop_id: 3, shop_name: '岳麓店', quantity: '2.00', cost: '720.00', shop_avg_unit_cost: '360.00', all_shops_avg_unit_cost: '320.00', vs_average_pct: '12.5' },
    { name: '左前叶子板', shop_id: 4, shop_name: '河西店', quantity: '1.00', cost: '240.00', shop_avg_unit_cost: '240.00', all_shops_avg_unit_cost: '320.00', vs_average_pct: '-25.0' },
  ],
} // prettier-ignore

const posted: { path: string; body: RealtimeData }[] = []
let wrapper: VueWrapper | null = null

function fakeServer(answer: (req: Request, url: URL) => Response | undefined = () => undefined) {
  return vi.fn(async (req: Request) => {
    const url = new URL(req.url)
    if (req.method === 'POST') posted.push({ path: url.pathname, body: await req.clone().json() })
    const own = answer(req, url)
    if (own) return own
    if (url.pathname === '/api/v1/insurer/claims/') return json(200, page([claim]))
    if (url.pathname === '/api/v1/insurer/claims/52/') return json(200, claimDetail)
    if (url.pathname === '/api/v1/insurer/claims/stats/') return json(200, stats)
    return json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
}

async function mountPage() {
  const { router, session, brand } = createShell('console', [{ path: '/', name: 'claims', component: InsurerClaimsPage }], createMemoryHistory())
  session.me.value = { id: 5, mobile: '13644458041', name: '人保查勘员', roles: ['insurer_staff'], scope: { kind: 'public', schema_name: null, name: '速信保' } }
  wrapper = mount(InsurerClaimsPage, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false, 'transition-group': false } },
  })
  await settle()
}

const text = (id: string) => byTestId(id).textContent?.replace(/\s+/g, ' ').trim()

beforeEach(() => {
  posted.length = 0
  push.handler = null
  push.stopped = 0
})
resetBetweenTests(() => {
  wrapper?.unmount()
  wrapper = null
})

describe('console: 理赔维修 (insurer)', { timeout: 30000 }, () => {
  it('lists the claims with shop and cost, shows purchase prices, and approves item by item (核损)', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/insurer/claims/52/approve/')
          return json(200, { ...claimDetail, state: 'approved', state_label: '已确认', approved_total: '600.00', insurer_approved_at: '2026-11-26T02:00:00Z', actions: [] })
      }),
    )
    await mountPage()
    const cells = [...byTestId('claim-row-SO20261126000052').querySelectorAll('td')].map((td) => td.textContent?.trim())
    expect(cells.slice(0, 10)).toEqual([
      'SO20261126000052', '湘A8E2E8', '大众帕萨特', '孙车主大唐经纪', '岳麓店', '事故车维修', '人保财险 RDAA2026430100002', '待确认报价', '¥1,240.00', '¥620.00',
    ]) // prettier-ignore

    byTestId('claim-row-SO20261126000052').querySelector('td')!.click()
    await settle()
    expect(byTestId('claim-drawer')).toBeTruthy()
    expect(allByTestId('claim-item-cost').map((c) => c.textContent)).toEqual(['¥360.00', '¥260.00'])
    expect(text('so-progress')).toContain('门店已报价')
    // an insurer has no shop buttons
    expect(byTestId('so-accept')).toBeNull()

    byTestId('claim-approve').click()
    await settle()
    expect(text('claim-approve-total')).toBe('¥1,240.00')
    // decline the part: the insurer pays the labour only
    byTestId('claim-decision-61').querySelector<HTMLElement>('[data-testid="claim-decision-decline"] input')!.click()
    await flushPromises()
    expect(text('claim-approve-total')).toBe('¥600.00')
    byTestId('claim-approve-submit').click()
    await settle()
    expect(posted.at(-1)).toEqual({
      path: '/api/v1/insurer/claims/52/approve/',
      body: { items: [{ item: 61, decision: 'declined' }, { item: 62, decision: 'approved' }] },
    })
    expect(text('so-state')).toBe('已确认')
    expect(text('so-total-approved')).toBe('¥600.00')
    expect(byTestId('claim-approve')).toBeNull()
  })

  it('shows the server’s refusal in the 核损 dialog', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/insurer/claims/52/approve/')
          return json(409, { code: 'service_order_already_approved', message: '已核损，不能重复确认', fields: {} })
      }),
    )
    await mountPage()
    byTestId('claim-row-SO20261126000052').querySelector('td')!.click()
    await settle()
    byTestId('claim-approve').click()
    await settle()
    byTestId('claim-approve-submit').click()
    await settle()
    expect(text('claim-approve-error')).toBe('已核损，不能重复确认')
  })

  it('compares what shops pay for the same part: above the average in red', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage()
    ;[...document.querySelectorAll<HTMLElement>('.el-tabs__item')].find((t) => t.textContent?.includes('费用对比'))!.click()
    await settle()
    const shops = [...byTestId('claim-stats-shops').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(shops).toEqual([
      ['岳麓店', '2', '¥2,480.00', '¥1,240.00', '¥1,240.00'],
      ['河西店', '1', '¥900.00', '¥500.00', '¥400.00'],
    ])
    const diffs = allByTestId('claim-stat-diff')
    expect(diffs.map((d) => [d.textContent, d.classList.contains('above')])).toEqual([
      ['+12.5%', true],
      ['-25.0%', false],
    ])
  })

  it('refreshes the claims on a push and stops listening when left', async () => {
    let list = [] as (typeof claim)[]
    const fetchMock = fakeServer((_req, url) => (url.pathname === '/api/v1/insurer/claims/' ? json(200, page(list)) : undefined))
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    expect(byTestId('claim-row-SO20261126000052')).toBeNull()
    list = [claim]
    push.handler!('service_order.quoted', { order_id: 52, no: 'SO20261126000052', title: '门店已报价', plate: '湘A8E2E8' })
    await settle()
    expect(byTestId('claim-row-SO20261126000052')).toBeTruthy()
    expect(document.querySelector('.claim-notification')?.textContent).toContain('SO20261126000052')
    wrapper!.unmount()
    wrapper = null
    expect(push.stopped).toBe(1)
  })
})
