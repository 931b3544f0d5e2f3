import type { RealtimeData, RealtimeHandler } from '@shared/realtime'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from '../context'
import ServiceOrdersPage from './ServiceOrdersPage.vue'
import { allByTestId, byTestId, DateRangeStub, errorNextTo, fill, json, page, resetBetweenTests, settle } from '../testing'

// the push channel is the lead's (shared/realtime): here the test plays the server's pushes
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

const shop = { id: 3, name: '岳麓店', address: '长沙市岳麓区麓山南路 1 号', phone: '0731-88880000' }
const picc = { id: 1, code: 'PICC', short_name: '人保财险' }
const row = (over: Record<string, unknown> = {}) => ({
  id: 41, no: 'SO20261126000041', state: 'requested', state_label: '施工申请', tenant_name: '大唐经纪', shop, insurer: picc,
  claim_no: 'RDAA2026430100001', plate: '湘A12345', vehicle_model: '大众帕萨特', customer_id: 11, customer_name: '孙车主',
  customer_mobile: '13644458021', service: '事故车维修', description: '左前叶子板刮擦，需钣金喷漆', mileage_km: 15230,
  quoted_total: '0.00', cost_total: '0.00', item_count: 0, settled_amount: null, insurer_pays: null,
  created_at: '2026-11-26T01:30:00Z', updated_at: '2026-11-26T01:30:00Z', ...over,
}) // prettier-ignore
const upkeep = row({ id: 40, no: 'SO20261125000040', state: 'approved', state_label: '已确认', insurer: null, claim_no: '', plate: '湘A54321',
  vehicle_model: '丰田卡罗拉', customer_name: '周车主', service: '保养', quoted_total: '387.00', cost_total: '228.00', item_count: 3 }) // prettier-ignore

const progress = (state: string, title: string, actor_name = '孙车主', actor_role = 'owner', note = '') => ({
  state, title, note, photos: [], actor_name, actor_role, at: '2026-11-26T01:30:00Z',
})
const detail = (base: ReturnType<typeof row>, over: Record<string, unknown> = {}) => ({
  ...base, items: [], progress: [progress('requested', '提交施工申请')], review: null, approved_total: '0.00',
  owner_approved_at: null, insurer_approved_at: null, actions: ['accept', 'reject', 'cancel'], ...over,
}) // prettier-ignore
const item = (id: number, name: string, kind: string, quantity: string, unit_price: string, unit_cost: string, amount: string, cost: string) => ({
  id, kind, part: kind === 'part' ? 7 : null, name, quantity, unit_price, amount, unit_cost, cost_amount: cost, note: '', photos: [],
  owner_decision: 'approved', insurer_decision: 'approved', approved: true,
}) // prettier-ignore
const upkeepDetail = detail(upkeep, {
  items: [
    item(1, '机油 5W-30', 'part', '4.00', '68.00', '45.00', '272.00', '180.00'),
    item(2, '机油滤芯', 'part', '1.00', '35.00', '18.00', '35.00', '18.00'),
    item(3, '更换机油机滤工时', 'labour', '1.00', '80.00', '30.00', '80.00', '30.00'),
  ],
  approved_total: '387.00',
  actions: ['start', 'cancel'],
  progress: [progress('requested', '提交施工申请'), progress('approved', '车主已确认报价')],
})
const parts = [
  { id: 7, code: 'OIL-5W30', name: '机油 5W-30', unit: '升', unit_cost: '45.00', sale_price: '68.00', stock: '2.00', reorder_level: '4.00', active: true, low_stock: true },
  { id: 8, code: 'FLT-01', name: '机油滤芯', unit: '个', unit_cost: '18.00', sale_price: '35.00', stock: '9.00', reorder_level: '2.00', active: true, low_stock: false },
  { id: 9, code: 'OLD-01', name: '停用配件', unit: '个', unit_cost: '1.00', sale_price: '2.00', stock: '1.00', reorder_level: '0.00', active: false, low_stock: false },
] // prettier-ignore


type Answer = (req: Request, url: URL) => Response | undefined | Promise<Response | undefined>
const posted: { path: string; body: RealtimeData }[] = []

function fakeServer(answer: Answer = () => undefined) {
  return vi.fn(async (req: Request) => {
    const url = new URL(req.url)
    if (req.method === 'POST') posted.push({ path: url.pathname, body: await req.clone().json() })
    const own = await answer(req, url)
    if (own) return own
    if (url.pathname === '/api/v1/shop/service-orders/') return json(200, page([row(), upkeep]))
    if (url.pathname === '/api/v1/shop/service-orders/41/') return json(200, detail(row()))
    if (url.pathname === '/api/v1/shop/service-orders/40/') return json(200, upkeepDetail)
    if (url.pathname === '/api/v1/shop/parts/') return json(200, parts)
    return json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
}

let wrapper: VueWrapper | null = null

async function mountPage() {
  const { router, session, brand } = createShell('console', [{ path: '/', name: 'so', component: ServiceOrdersPage }], createMemoryHistory())
  session.me.value = { id: 2, mobile: '13644458031', name: '岳麓技师', roles: ['shop_staff'], scope: { kind: 'public', schema_name: null, name: '速信保' } }
  wrapper = mount(ServiceOrdersPage, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false, 'transition-group': false, ElDatePicker: DateRangeStub } },
  })
  await settle()
}

const fillAt = (id: string, value: string, index = 0) => fill(allByTestId(id)[index], value)

async function openRow(no: string) {
  byTestId(`so-row-${no}`).querySelector('td')!.click()
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

describe('console: 维修工单 (shop)', { timeout: 30000 }, () => {
  it('lists the shop’s orders with claim, state, quoted and cost; each row found by its number', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    const cells = (no: string) => [...byTestId(`so-row-${no}`).querySelectorAll('td')].map((td) => td.textContent?.trim())
    expect(cells('SO20261126000041').slice(0, 9)).toEqual([
      'SO20261126000041', '湘A12345', '大众帕萨特', '孙车主大唐经纪', '事故车维修', '人保财险 RDAA2026430100001', '施工申请', '—', '—',
    ]) // prettier-ignore
    expect(cells('SO20261125000040').slice(0, 9)).toEqual([
      'SO20261125000040', '湘A54321', '丰田卡罗拉', '周车主大唐经纪', '保养', '—', '已确认', '¥387.00', '¥228.00',
    ]) // prettier-ignore
    expect(text('so-total')).toBe('共2条记录，当前显示第 1 页')
    expect(new URL(fetchMock.mock.calls[0][0].url).search).toBe('?page=1&page_size=20')

    const options = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')]
    options.find((o) => o.textContent?.trim() === '施工中')!.click()
    await fillAt('so-search', '湘a123')
    const dates = byTestId('so-dates') as HTMLInputElement
    dates.value = '2026-11-01~2026-11-30'
    dates.dispatchEvent(new Event('change'))
    await flushPromises()
    byTestId('so-search-button').click()
    await flushPromises()
    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(Object.fromEntries(last.searchParams)).toEqual({
      page: '1',
      page_size: '20',
      state: 'in_progress',
      search: '湘a123',
      date_from: '2026-11-01',
      date_to: '2026-11-30',
    })
    byTestId('so-reset').click()
    await flushPromises()
    expect(new URL(fetchMock.mock.calls.at(-1)![0].url).search).toBe('?page=1&page_size=20')
  })

  it('opens an order: tenant, customer, items with purchase prices, totals, progress, and only the allowed buttons', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage()
    await openRow('SO20261125000040')
    expect(text('so-state')).toBe('已确认')
    expect(text('so-tenant')).toBe('大唐经纪')
    expect(text('so-customer')).toBe('周车主 13644458021')
    expect(allByTestId('so-item-cost').map((c) => c.textContent)).toEqual(['¥45.00', '¥18.00', '¥30.00'])
    expect([text('so-total-quoted'), text('so-total-approved'), text('so-total-cost'), text('so-total-settled')]).toEqual([
      '¥387.00', '¥387.00', '¥228.00', '—',
    ]) // prettier-ignore
    expect(byTestId('so-progress').querySelectorAll('.el-timeline-item')).toHaveLength(2)
    expect(text('so-progress')).toContain('车主已确认报价')
    // state approved: 开始施工 and 取消 only
    expect(byTestId('so-start')).toBeTruthy()
    expect(byTestId('so-cancel')).toBeTruthy()
    for (const absent of ['so-accept', 'so-reject', 'so-estimate', 'so-complete', 'so-settle']) expect(byTestId(absent)).toBeNull()
  })

  it('accepts a request, and asks a reason before rejecting one (the server’s message next to the box)', async () => {
    let state = 'requested'
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/shop/service-orders/41/accept/') {
          state = 'accepted'
          return json(200, detail(row({ state, state_label: '已接单' }), { actions: ['estimate', 'cancel'] }))
        }
        if (url.pathname === '/api/v1/shop/service-orders/41/reject/')
          return json(400, { code: 'invalid', message: '请填写拒单原因', fields: { reason: ['请填写拒单原因'] } })
      }),
    )
    await mountPage()
    await openRow('SO20261126000041')
    byTestId('so-reject').click()
    await settle()
    byTestId('so-reason-submit').click()
    await settle()
    expect(posted.at(-1)).toEqual({ path: '/api/v1/shop/service-orders/41/reject/', body: { note: '', reason: '', override_reason: '', payment_method: '' } })
    expect(errorNextTo('so-reason')).toBe('请填写拒单原因')
    document.querySelector<HTMLElement>('.el-dialog__headerbtn')!.click()
    await settle()

    byTestId('so-accept').click()
    await settle()
    expect(posted.at(-1)!.path).toBe('/api/v1/shop/service-orders/41/accept/')
    expect(text('so-state')).toBe('已接单')
    expect(byTestId('so-estimate')).toBeTruthy()
    expect(byTestId('so-accept')).toBeNull()
  })

  it('estimates: parts from the shop’s stock and labour, a live total, the body sent, field errors on the line', async () => {
    let attempt = 0
    const accepted = detail(row({ state: 'accepted', state_label: '已接单' }), { actions: ['estimate', 'cancel'] })
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/shop/service-orders/41/') return json(200, accepted)
        if (url.pathname === '/api/v1/shop/service-orders/41/estimate/') {
          attempt += 1
          if (attempt === 1) return json(400, { code: 'invalid', message: '请求参数有误', fields: { 'items.2.name': ['请填写工时项目名称'] } })
          return json(200, detail(row({ state: 'quoted', state_label: '待确认报价', quoted_total: '387.00', item_count: 3 }), { actions: ['cancel'] }))
        }
      }),
    )
    await mountPage()
    await openRow('SO20261126000041')
    byTestId('so-estimate').click()
    await settle()
    // only active parts are offered
    const labels = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].map((o) => o.textContent?.trim() ?? '')
    expect(labels.filter((l) => l.includes('库存'))).toHaveLength(2)
    const pick = async (name: string) => {
      ;[...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((o) => o.textContent?.includes(name))!.click()
      await flushPromises()
    }
    await pick('机油 5W-30')
    await pick('机油滤芯')
    await fillAt('so-item-quantity', '4', 0)
    byTestId('so-add-labour').click()
    await flushPromises()
    // one box per labour line (el-table must not render a hidden copy that a browser test would type into)
    expect(allByTestId('so-labour-name')).toHaveLength(1)
    await fillAt('so-labour-price', '80')
    await fillAt('so-labour-cost', '30')
    // 4 × 68 + 35 + 80 = 387.00; cost 4 × 45 + 18 + 30 = 228.00
    expect(text('so-estimate-total')).toBe('¥387.00')
    expect(text('so-estimate-cost')).toBe('¥228.00')

    byTestId('so-submit-estimate').click()
    await settle()
    expect(text('so-estimate-lines')).toContain('请填写工时项目名称')
    expect(text('so-estimate-error')).toBe('请求参数有误')

    await fillAt('so-labour-name', '更换机油机滤工时')
    byTestId('so-submit-estimate').click()
    await settle()
    expect(posted.at(-1)).toEqual({
      path: '/api/v1/shop/service-orders/41/estimate/',
      body: {
        items: [
          { kind: 'part', part: 7, quantity: '4', unit_price: '68.00', name: '', note: '' },
          { kind: 'part', part: 8, quantity: '1', unit_price: '35.00', name: '', note: '' },
          { kind: 'labour', name: '更换机油机滤工时', quantity: '1', unit_price: '80', unit_cost: '30', note: '' },
        ],
        note: '',
      },
    })
    expect(text('so-state')).toBe('待确认报价')
    expect(text('so-total-quoted')).toBe('¥387.00')
  })

  it('still estimates labour when the parts list cannot be loaded, and says so', async () => {
    const accepted = detail(row({ state: 'accepted', state_label: '已接单' }), { actions: ['estimate', 'cancel'] })
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/shop/service-orders/41/') return json(200, accepted)
        if (url.pathname === '/api/v1/shop/parts/') return json(403, { code: 'permission_denied', message: '您不是门店员工', fields: {} })
        if (url.pathname === '/api/v1/shop/service-orders/41/estimate/')
          return json(200, detail(row({ state: 'quoted', state_label: '待确认报价', quoted_total: '600.00', item_count: 1 }), { actions: ['cancel'] }))
      }),
    )
    await mountPage()
    await openRow('SO20261126000041')
    byTestId('so-estimate').click()
    await settle()
    expect(byTestId('so-estimate-editor').textContent).toContain('配件列表加载失败：您不是门店员工（仍可添加工时项目）')
    byTestId('so-add-labour').click()
    await flushPromises()
    await fillAt('so-labour-name', '钣金喷漆工时')
    await fillAt('so-labour-price', '600')
    await fillAt('so-labour-cost', '260')
    expect(text('so-estimate-total')).toBe('¥600.00')
    expect(text('so-estimate-cost')).toBe('¥260.00')
    byTestId('so-submit-estimate').click()
    await settle()
    expect(posted.at(-1)!.body.items).toEqual([{ kind: 'labour', name: '钣金喷漆工时', quantity: '1', unit_price: '600', unit_cost: '260', note: '' }])
    expect(text('so-state')).toBe('待确认报价')
  })

  it('on short stock at 开始施工 shows the server’s message and starts with an override reason', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/shop/service-orders/40/start/') {
          const body = posted.at(-1)!.body
          if (!body.override_reason)
            return json(409, { code: 'stock_insufficient', message: '机油 5W-30 库存不足：需要 4，现有 2', fields: { items: ['机油 5W-30 库存不足：需要 4，现有 2'] } })
          return json(200, { ...upkeepDetail, state: 'in_progress', state_label: '施工中', actions: ['complete'] })
        }
      }),
    )
    await mountPage()
    await openRow('SO20261125000040')
    byTestId('so-start').click()
    await settle()
    // 开始施工 cannot be undone: asked first, nothing sent before the answer
    expect(text('so-confirm-text')).toBe('确认开始施工 SO20261125000040（湘A54321）？已确认项目的配件将从库存出库。')
    expect(posted.filter((p) => p.path.endsWith('/start/'))).toEqual([])
    byTestId('so-confirm-ok').click()
    await settle()
    expect(text('so-stock')).toContain('机油 5W-30 库存不足：需要 4，现有 2')
    expect(text('so-state')).toBe('已确认')

    byTestId('so-start-override').click()
    await settle()
    expect(errorNextTo('so-override-reason')).toBe('请填写超额领用的原因')
    await fillAt('so-override-reason', '机油已到店未入库')
    byTestId('so-start-override').click()
    await settle()
    expect(posted.at(-1)).toEqual({
      path: '/api/v1/shop/service-orders/40/start/',
      body: { note: '', reason: '', override_reason: '机油已到店未入库', payment_method: '' },
    })
    expect(text('so-state')).toBe('施工中')
    expect(byTestId('so-stock')).toBeNull()
    expect(byTestId('so-complete')).toBeTruthy()
  })

  it('asks before 完工 and, at 结算, shows the amount and asks how the owner paid', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/shop/service-orders/40/' && !posted.length)
          return json(200, { ...upkeepDetail, state: 'in_progress', state_label: '施工中', actions: ['complete'] })
        if (url.pathname === '/api/v1/shop/service-orders/40/complete/')
          return json(200, { ...upkeepDetail, state: 'completed', state_label: '已完工', actions: ['settle'] })
        if (url.pathname === '/api/v1/shop/service-orders/40/settle/')
          return json(200, { ...upkeepDetail, state: 'settled', state_label: '已结算', actions: [], settled_amount: '387.00', insurer_pays: '0.00' })
      }),
    )
    await mountPage()
    await openRow('SO20261125000040')
    byTestId('so-complete').click()
    await settle()
    expect(text('so-confirm-text')).toBe('确认 SO20261125000040（湘A54321）已完工？完工后将通知车主。')
    byTestId('so-confirm-cancel').click()
    await settle()
    expect(posted).toEqual([])
    byTestId('so-complete').click()
    await settle()
    byTestId('so-confirm-ok').click()
    await settle()
    expect(posted.map((p) => p.path)).toEqual(['/api/v1/shop/service-orders/40/complete/'])

    byTestId('so-settle').click()
    await settle()
    expect(text('so-confirm-text')).toBe('确认结算工单 SO20261125000040？车主支付 ¥387.00，结算后不能撤回。')
    byTestId('so-confirm-ok').click()
    await settle()
    // no method chosen: asked again, nothing sent
    expect(text('so-confirm-dialog')).toContain('请选择车主的支付方式')
    expect(posted).toHaveLength(1)
    byTestId('so-pay-method').querySelector<HTMLElement>('[data-testid="so-pay-wechat"] input')!.click()
    await settle()
    byTestId('so-confirm-ok').click()
    await settle()
    expect(posted.at(-1)).toEqual({
      path: '/api/v1/shop/service-orders/40/settle/',
      body: { note: '', reason: '', override_reason: '', payment_method: 'wechat' },
    })
    expect(text('so-state')).toBe('已结算')
  })

  it('shows any other refusal’s message, e.g. a 409 when the owner cancelled meanwhile', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/shop/service-orders/41/accept/')
          return json(409, { code: 'service_order_invalid_transition', message: '工单已取消，不能接单', fields: {} })
      }),
    )
    await mountPage()
    await openRow('SO20261126000041')
    byTestId('so-accept').click()
    await settle()
    expect(text('so-error')).toBe('工单已取消，不能接单')
  })

  it('follows pushes: a new request appears without reload, the open order refreshes, a notice names it', async () => {
    let list = [upkeep]
    let openState = { state: 'approved', state_label: '已确认' }
    const fetchMock = fakeServer((_req, url) => {
      if (url.pathname === '/api/v1/shop/service-orders/') return json(200, page(list))
      if (url.pathname === '/api/v1/shop/service-orders/40/') return json(200, { ...upkeepDetail, ...openState })
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    expect(byTestId('so-row-SO20261126000041')).toBeNull()
    await openRow('SO20261125000040')
    expect(push.handler).not.toBeNull()

    // a request made while the stream was still opening: the list is read again once it is open
    list = [row(), upkeep]
    push.handler!('realtime.open', {})
    await settle()
    expect(byTestId('so-row-SO20261126000041')).toBeTruthy()
    expect(document.querySelector('.so-notification')).toBeNull()

    push.handler!('service_order.requested', { order_id: 41, no: 'SO20261126000041', title: '提交施工申请', plate: '湘A12345' })
    await settle()
    expect(byTestId('so-row-SO20261126000041')).toBeTruthy()
    expect(document.querySelector('.so-notification')?.textContent).toContain('提交施工申请')
    expect(document.querySelector('.so-notification')?.textContent).toContain('SO20261126000041')
    // the open order is another one: not reloaded
    expect(fetchMock.mock.calls.filter(([r]) => new URL(r.url).pathname === '/api/v1/shop/service-orders/40/')).toHaveLength(1)

    openState = { state: 'cancelled', state_label: '已取消' }
    push.handler!('service_order.cancelled', { order_id: 40, no: 'SO20261125000040', title: '车主取消工单', plate: '湘A54321' })
    await settle()
    expect(text('so-state')).toBe('已取消')

    // other pushes are not about service orders
    const calls = fetchMock.mock.calls.length
    push.handler!('notice.new', { title: '政策推送' })
    await settle()
    expect(fetchMock.mock.calls.length).toBe(calls)

    wrapper!.unmount()
    wrapper = null
    expect(push.stopped).toBe(1)
  })
})
