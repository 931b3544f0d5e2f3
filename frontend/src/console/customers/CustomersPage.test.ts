import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import CustomersPage from './CustomersPage.vue'
import { allByTestId, byTestId, datangStaff, DateStub, errorNextTo, fakeApi, fill, json, mountConsolePage, page, resetBetweenTests, settle } from '../testing'

const zhang = {
  id: 11,
  name: '张伟',
  mobile: '13800138000',
  id_number: '4403**********1234',
  vehicle_count: 2,
  promoter: { id: 5, name: '李娜' },
  registered_on: '2026-03-02',
}
const wang = { ...zhang, id: 12, name: '王芳', mobile: '13900139000', vehicle_count: 0, promoter: null, registered_on: '2026-02-14' }
const zhangDetail = {
  ...zhang,
  birth_date: '1988-05-06',
  licence_expires_on: null,
  note: '',
  owner_reminders_opt_in: true,
  vehicles: [],
  follow_ups: [],
  reminders: [],
  preferences: [],
}


/** The tenant's API as the page sees it; `answer` overrides any call it wants to. */
const fakeServer = fakeApi((_req, url) => {
  if (url.pathname === '/api/v1/customers/') return json(200, page([zhang, wang]))
  if (url.pathname === '/api/v1/network/agents/') return json(200, page([{ id: 5, name: '李娜', mobile: '13700137000' }]))
  if (url.pathname === '/api/v1/customers/11/') return json(200, zhangDetail)
  if (url.pathname === '/api/v1/customers/11/follow-ups/') return json(200, [])
})

const mountPage = (roles = ['tenant_admin']) => mountConsolePage(CustomersPage, datangStaff(roles), { ElDatePicker: DateStub })

resetBetweenTests()

describe('console: customers (客户管理)', () => {
  it('lists customers like the original screen: number, name, cars, promoter, registration date', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()

    const rows = [...byTestId('customers-table').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows).toHaveLength(2)
    expect(rows[0].slice(0, 5)).toEqual(['1', '张伟13800138000', '2', '李娜', '2026-03-02'])
    expect(rows[1].slice(0, 5)).toEqual(['2', '王芳13900139000', '0', '—', '2026-02-14'])
    expect(rows[0][5]).toBe('查看跟踪记录修改车辆信息')
    expect(byTestId('customers-total').textContent).toBe('共2条记录，当前显示第 1 页')
    expect(new URL(fetchMock.mock.calls[0][0].url).search).toBe('?page=1&page_size=20')
  })

  it('searches by name / mobile / plate and by promoter', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    await fill('customers-keyword', '粤B12345')
    await fill('customers-promoter', '李娜')
    byTestId('customers-search').click()
    await flushPromises()
    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(last.pathname).toBe('/api/v1/customers/')
    expect(Object.fromEntries(last.searchParams)).toEqual({ search: '粤B12345', promoter: '李娜', page: '1', page_size: '20' })
  })

  it("shows the server's field errors next to the customer's and the first car's fields", async () => {
    let posted: Record<string, unknown> | null = null
    const fetchMock = fakeServer(async (req, url) => {
      if (url.pathname === '/api/v1/customers/' && req.method === 'POST') {
        posted = await req.clone().json()
        return json(400, {
          code: 'invalid',
          message: '请检查填写的内容',
          fields: {
            mobile: ['手机号 13800138000 已是客户 张伟 的手机号'],
            id_number: ['身份证号校验位不正确'],
            'vehicles.0.plate': ['车牌号格式不正确'],
            'vehicles.0.seats': ['请填写合法的整数值。'],
          },
        })
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    byTestId('customer-new').click()
    await flushPromises()
    await fill('customer-name', '赵敏')
    await fill('customer-mobile', '13800138000')
    await fill('customer-id_number', '440301199001011235')
    await fill('vehicle-plate', '粤B1')
    await fill('vehicle-seats', 'five')
    await fill('vehicle-mileage_km', '32000')
    byTestId('customer-save').click()
    await settle()

    expect(posted).toMatchObject({
      name: '赵敏',
      mobile: '13800138000',
      id_number: '440301199001011235',
      promoter: null,
      vehicles: [{ plate: '粤B1', seats: 'five', mileage_km: 32000, use: 'family' }],
    })
    expect(errorNextTo('customer-mobile')).toBe('手机号 13800138000 已是客户 张伟 的手机号')
    expect(errorNextTo('customer-id_number')).toBe('身份证号校验位不正确')
    expect(errorNextTo('vehicle-plate')).toBe('车牌号格式不正确')
    expect(errorNextTo('vehicle-seats')).toBe('请填写合法的整数值。')
    expect(errorNextTo('customer-name')).toBeUndefined()
    expect(errorNextTo('vehicle-vin')).toBeUndefined()
    expect(document.body.textContent).toContain('请检查填写的内容')
  })

  it('creates a customer without a car, then shows the list again from page 1', async () => {
    let posted: Record<string, unknown> | null = null
    const fetchMock = fakeServer(async (req, url) => {
      if (url.pathname === '/api/v1/customers/' && req.method === 'POST') {
        posted = await req.clone().json()
        return json(201, { ...zhangDetail, id: 13, name: '赵敏' })
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    byTestId('customer-new').click()
    await flushPromises()
    await fill('customer-name', '赵敏')
    await fill('customer-mobile', '13500135000')
    byTestId('customer-save').click()
    await flushPromises()
    expect(posted).not.toHaveProperty('vehicles')
    expect(posted).not.toHaveProperty('id_number')
    const calls = fetchMock.mock.calls.map(([req]) => `${req.method} ${new URL(req.url).pathname}`)
    expect(calls.filter((c) => c.includes('/customers/'))).toEqual([
      'GET /api/v1/customers/',
      'POST /api/v1/customers/',
      'GET /api/v1/customers/',
    ])
  })

  it('records a follow-up from 跟踪记录 and shows its field error next to the box', async () => {
    const fetchMock = fakeServer((req, url) => {
      if (url.pathname === '/api/v1/customers/11/follow-ups/' && req.method === 'POST')
        return json(400, { code: 'invalid', message: '请检查填写的内容', fields: { content: ['请填写跟进内容'] } })
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    allByTestId('customer-follow-ups')[0].click()
    await flushPromises()
    expect(byTestId('customer-drawer').textContent).toContain('客户：张伟')
    byTestId('followup-save').click()
    await settle()
    expect(errorNextTo('followup-content')).toBe('请填写跟进内容')
  })

  it('finance may look but not change: no 新增客户, no 修改', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage(['finance'])
    expect(allByTestId('customer-new')).toHaveLength(0)
    expect(allByTestId('customer-edit')).toHaveLength(0)
    expect(allByTestId('customer-view')).toHaveLength(2)
  })

  it('shows the import running and takes no second file until it is done', async () => {
    let release: (r: Response) => void = () => undefined
    const server = fakeServer()
    const posted: string[] = []
    vi.stubGlobal('fetch', (input: Request | string, init?: RequestInit) => {
      if (typeof input === 'string' && input === '/api/v1/customers/import/') {
        posted.push(String(init?.method))
        return new Promise<Response>((resolve) => (release = resolve))
      }
      return server(input as Request)
    })
    await mountPage()
    const input = byTestId('customers-import') as HTMLInputElement
    const choose = (name: string) => {
      Object.defineProperty(input, 'files', { value: [new File(['x'], name)], configurable: true })
      input.dispatchEvent(new Event('change'))
    }
    expect(byTestId('customers-import-button').textContent?.trim()).toBe('从 Excel 导入')
    choose('客户.xlsx')
    await flushPromises()
    expect(byTestId('customers-import-progress').textContent).toBe('正在导入 客户.xlsx…')
    expect(byTestId('customers-import-button').classList.contains('is-disabled')).toBe(true)
    expect(input.disabled).toBe(true)
    choose('又一个.xlsx')
    await flushPromises()
    expect(posted).toEqual(['POST'])
    release(json(200, { created: 3 }))
    await settle()
    expect(byTestId('customers-import-button').textContent?.trim()).toBe('从 Excel 导入')
    expect(input.disabled).toBe(false)
  })

  it('客户施工记录 lists every customer\'s service orders, filters them, and opens a customer at 施工记录', async () => {
    const order = (id: number, customer: number, name: string, plate: string, state: string, label: string, settled: string | null) => ({
      id, no: `SO2026120${id}`, state, state_label: label, tenant_name: '大唐经纪', shop: { id: 3, name: '顺达汽修' }, insurer: null,
      claim_no: '', plate, vehicle_model: '', customer_id: customer, customer_name: name, customer_mobile: '', service: '保养',
      description: '', mileage_km: null, quoted_total: '1387.50', item_count: 2, settled_amount: settled, insurer_pays: null,
      payment_method: '', created_at: '2026-12-03T10:20:00+08:00', updated_at: '2026-12-03T10:20:00+08:00',
    }) // prettier-ignore
    const fetchMock = fakeServer((_req, url) => {
      if (url.pathname === '/api/v1/service-orders/')
        return json(200, page([order(1, 11, '张伟', '粤B12345', 'settled', '已结算', '1387.50'), order(2, 12, '王芳', '粤B66666', 'in_progress', '施工中', null)]))
      if (url.pathname === '/api/v1/customers/11/service-orders/') return json(200, [order(1, 11, '张伟', '粤B12345', 'settled', '已结算', '1387.50')])
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    byTestId('customers-service-history').click()
    await flushPromises()
    const rows = [...byTestId('service-history-table').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows).toEqual([
      ['1', '2026-12-03 02:20:00', '张伟', '粤B12345', '顺达汽修', '保养', '已结算', '¥1,387.50', '¥1,387.50'],
      ['2', '2026-12-03 02:20:00', '王芳', '粤B66666', '顺达汽修', '保养', '施工中', '¥1,387.50', '—'],
    ])
    expect(byTestId('service-history-total').textContent).toBe('共 2 条')

    const search = (byTestId('service-history-search').querySelector('input') ?? byTestId('service-history-search')) as HTMLInputElement
    search.value = '粤B12345'
    search.dispatchEvent(new Event('input'))
    search.dispatchEvent(new Event('change'))
    await flushPromises()
    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(last.pathname).toBe('/api/v1/service-orders/')
    expect(Object.fromEntries(last.searchParams)).toEqual({ page: '1', page_size: '20', search: '粤B12345' })

    byTestId('service-history-customer').click()
    await flushPromises()
    await vi.waitFor(() => expect(byTestId('customer-service-orders').textContent).toContain('SO20261201'))
  })
})

