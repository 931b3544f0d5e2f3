import { flushPromises } from '@vue/test-utils'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import QuotesPage from './QuotesPage.vue'
import { allByTestId, type Answer, byTestId, datangStaff, DateRangeStub, errorNextTo, fakeApi, fill, json, mountConsolePage, page, resetBetweenTests, settle } from '../testing'
import { localToday } from '../../quote-mobile/quoteForm'

const picc = { code: 'PICC', name: '中国人民财产保险', short_name: '人保财险', logo: '', color: '#E60012' }
const pingan = { code: 'PINGAN', name: '中国平安财产保险', short_name: '平安产险', logo: '', color: '#F26B1D' }
const zhang = { id: 11, name: '张伟', mobile: '13800138000' }
const li = { id: 5, name: '李娜', mobile: '13700137000' }

const issued = {
  id: 1,
  number: 'Q20260302000001',
  policy_numbers: { ctpl: 'PICC-CTPL-0001', commercial: 'PICC-COMM-0001' },
  customer: zhang,
  vehicle: 7,
  plate: '粤B2088Z',
  status: 'issued',
  status_label: '已出单',
  channel: 'agent',
  channel_label: '代理人',
  promoter: li,
  premium: '4626.17',
  insurer: picc,
  created_at: '2026-03-02T02:01:59Z',
  valid_until: '2026-03-09',
  updated_at: '2026-03-02T02:05:00Z',
}
const quoted = {
  ...issued,
  id: 2,
  number: 'Q20260301000002',
  policy_numbers: { ctpl: null, commercial: null },
  plate: '粤B33333',
  status: 'agent_quoted',
  status_label: '代理人已报价',
  promoter: null,
  premium: '3950.00',
  insurer: null,
}

const breakdown = {
  region: '广东',
  rating_table: '人保 2026 家庭自用',
  ctpl: {
    use: 'family',
    band: '6座以下',
    base_premium: '950.00',
    region: '广东',
    floating_scheme: 5,
    history_class: 'A1',
    floating_rate: '-0.10',
    premium: '855.00',
  },
  vehicle_tax: { table_province: '广东', displacement_band: '1.6–2.0L', exempt: false, annual_tax: '480.00', tax_year: 2026, months: 12, amount: '480.00' },
  actual_value: null,
  commercial_lines: [
    {
      code: 'third_party',
      name: '第三者责任保险',
      limit: '1000000.00',
      seats: null,
      limit_per_seat: null,
      base_premium: '1570.00',
      ncd: '0.8',
      autonomous_pricing_factor: '0.85',
      traffic_violation_factor: '1',
      premium: '1067.60',
    },
  ],
}
const option = (id: number, insurer: typeof picc, total: string, rank: number) => ({
  id,
  insurer,
  available: true,
  unavailable_reason: '',
  rank,
  cheapest: rank === 1,
  base_factor: '0.8500',
  autonomous_pricing_factor: '0.8500',
  factor_min: '0.7500',
  factor_max: '0.9500',
  ctpl_premium: '855.00',
  vehicle_tax: '480.00',
  commercial_premium: '2615.00',
  total,
  ctpl_commission_rate: '0.0400',
  commercial_commission_rate: '0.2000',
  commission: '557.20',
  breakdown,
})
const quotedDetail = {
  ...quoted,
  region: '广东',
  rated_on: '2026-03-01',
  vehicle_snapshot: {},
  history: {},
  coverages: { ctpl: true, vehicle_tax: true, commercial: [{ code: 'third_party', limit: '1000000' }] },
  options: [option(21, picc, '3950.00', 1), option(22, pingan, '4102.35', 2)],
  policies: [],
  payment: null,
  events: [
    { id: 1, action: 'create', from_status: '', to_status: 'platform_quoted', actor_name: '李娜', actor_role: 'agent', note: '', at: '2026-03-01T01:00:00Z' },
    { id: 2, action: 'send', from_status: 'platform_quoted', to_status: 'agent_quoted', actor_name: '李娜', actor_role: 'agent', note: '已微信发给客户', at: '2026-03-01T01:10:00Z' },
  ],
  actions: ['adjust', 'accept', 'cancel'],
}
const issuedDetail = {
  ...quotedDetail,
  ...issued,
  options: [option(11, picc, '4626.17', 1)],
  policies: [
    {
      id: 41,
      quote: 1,
      quote_number: issued.number,
      insurer: picc,
      line: 'ctpl',
      line_label: '交强险',
      number: 'PICC-CTPL-0001',
      premium: '855.00',
      vehicle_tax: '480.00',
      commission_rate: '0.0400',
      starts_on: '2026-03-03',
      ends_on: '2027-03-02',
      status: 'active',
      status_label: '有效',
      issued_at: '2026-03-02T02:05:00Z',
      cancelled_at: null,
      refund_amount: null,
      cancel_reason: '',
      customer: 11,
      customer_name: '张伟',
      plate: '粤B2088Z',
    },
  ],
  actions: ['pay'],
}


const fakeServer = fakeApi((_req, url) => {
  if (url.pathname === '/api/v1/quotes/') return json(200, page([issued, quoted]))
  if (url.pathname === '/api/v1/quotes/1/') return json(200, issuedDetail)
  if (url.pathname === '/api/v1/quotes/2/') return json(200, quotedDetail)
})

const mountPage = (roles = ['tenant_admin']) => mountConsolePage(QuotesPage, datangStaff(roles), { ElDatePicker: DateRangeStub })

resetBetweenTests()

describe('console: quotes (报价管理)', () => {
  it('lists quotes like the original screen: number, policy numbers, customer, plate, status, promoter, premium', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()

    const rows = [...byTestId('quotes-table').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows).toHaveLength(2)
    expect(rows[0].slice(0, 8)).toEqual([
      '1',
      'Q20260302000001',
      '交强 PICC-CTPL-0001商业 PICC-COMM-0001',
      '张伟13800138000',
      '粤B2088Z',
      '已出单',
      '李娜',
      '¥4,626.17人保财险',
    ])
    expect(rows[1].slice(0, 8)).toEqual(['2', 'Q20260301000002', '—', '张伟13800138000', '粤B33333', '代理人已报价', '—', '¥3,950.00'])
    expect(rows[0][8]).toMatch(/^2026-03-02 \d\d:01:59$/)
    expect(rows[0][9]).toBe('查看')
    expect(byTestId('quotes-total').textContent).toBe('共2条记录，当前显示第 1 页')
    expect(new URL(fetchMock.mock.calls[0][0].url).search).toBe('?page=1&page_size=20')
  })

  it('passes the filters to the API: statuses comma-separated, plate, customer, promoter, number, dates', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()

    const options = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')]
    options.find((o) => o.textContent?.trim() === '代理人已报价')!.click()
    await flushPromises()
    options.find((o) => o.textContent?.trim() === '已出单')!.click()
    await flushPromises()
    await fill('quotes-plate', '粤b2088z')
    await fill('quotes-customer', '张伟')
    await fill('quotes-promoter', '李娜')
    await fill('quotes-number', 'PICC-CTPL')
    await fill('quotes-created', '2026-03-01~2026-03-31', 'change')
    byTestId('quotes-search').click()
    await flushPromises()

    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(last.pathname).toBe('/api/v1/quotes/')
    expect(Object.fromEntries(last.searchParams)).toEqual({
      status: 'agent_quoted,issued',
      plate: '粤B2088Z',
      customer: '张伟',
      promoter: '李娜',
      number: 'PICC-CTPL',
      created_from: '2026-03-01',
      created_to: '2026-03-31',
      page: '1',
      page_size: '20',
    })
  })

  it('opens a quote: every insurer with its total, the breakdown, the history; 调整系数 sends the factor', async () => {
    let adjusted: unknown = null
    const fetchMock = fakeServer(async (req, url) => {
      if (url.pathname === '/api/v1/quotes/2/options/22/adjust/' && req.method === 'POST') {
        adjusted = await req.clone().json()
        const again = { ...quotedDetail, options: [quotedDetail.options[0], { ...quotedDetail.options[1], autonomous_pricing_factor: '0.9000', total: '4256.20' }] }
        return json(200, again)
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    allByTestId('quote-view')[1].click()
    await flushPromises()

    const drawer = byTestId('quote-drawer')
    expect(drawer.textContent).toContain('报价单 Q20260301000002')
    expect(byTestId('quote-status').textContent?.trim()).toBe('代理人已报价')
    expect(byTestId('quote-header').textContent).toContain('广东')
    expect(byTestId('quote-header').textContent).toContain('2026-03-09')
    expect(byTestId('quote-header').textContent).toContain('交强险、车船税、三者险 100万')
    expect(allByTestId('option-total').map((e) => e.textContent)).toEqual(['¥3,950.00', '¥4,102.35'])
    const options = byTestId('quote-options').textContent ?? ''
    expect(options).toContain('人保财险')
    expect(options).toContain('最低价')
    expect(options).toContain('0.7500–0.9500')
    expect(options).toContain('交强 4% / 商业 20%')
    // finance's buttons are not an administrator's: the server's `actions` decide
    expect(allByTestId('quote-pay')).toHaveLength(0)
    expect(allByTestId('quote-cancel')).toHaveLength(1)
    const history = byTestId('quote-history').textContent ?? ''
    expect(history).toContain('生成报价')
    expect(history).toContain('代理人报价')
    expect(history).toContain('李娜（代理人）')
    expect(history).toContain('已微信发给客户')

    // the breakdown of an option, row expanded
    drawer.querySelector<HTMLElement>('.el-table__expand-icon')!.click()
    await flushPromises()
    const explained = byTestId('option-breakdown').textContent ?? ''
    expect(explained).toContain('基础保费 ¥950.00')
    expect(explained).toContain('¥855.00')
    expect(explained).toContain('× 12/12 = ¥480.00')
    expect(explained).toContain('第三者责任保险')
    expect(explained).toContain('100万')

    allByTestId('option-adjust')[1].click()
    await flushPromises()
    await fill('action-factor', '0.9')
    await fill('action-factor', '0.9', 'change')
    byTestId('action-submit').click()
    await flushPromises()
    expect(adjusted).toEqual({ factor: '0.9000' })
    expect(allByTestId('option-total').map((e) => e.textContent)).toEqual(['¥3,950.00', '¥4,256.20'])
  })

  it('shows a refused transition (409) in the dialog', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((_req, url) => {
        if (url.pathname === '/api/v1/quotes/2/cancel/')
          return json(409, { code: 'quote_invalid_transition', message: '报价单 Q20260301000002 当前为「已出单」，不能取消报价', fields: {} })
      }),
    )
    await mountPage()
    allByTestId('quote-view')[1].click()
    await flushPromises()
    byTestId('quote-cancel').click()
    await flushPromises()
    await fill('action-reason', '客户改主意了')
    byTestId('action-submit').click()
    await flushPromises()
    expect(byTestId('action-error').textContent).toContain('不能取消报价')
  })

  it('退保 from the policies of an issued quote, with the server’s field errors next to the boxes', async () => {
    let body: unknown = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname === '/api/v1/policies/41/surrender/') {
          body = await req.clone().json()
          return json(400, {
            code: 'invalid',
            message: '请检查填写的内容',
            fields: { refund_amount: ['退费金额应在 0 到保费 855.00 之间'], reason: ['请填写退保原因'] },
          })
        }
      }),
    )
    await mountPage(['finance'])
    allByTestId('quote-view')[0].click()
    await flushPromises()
    expect(byTestId('quote-policies').textContent).toContain('PICC-CTPL-0001')
    expect(allByTestId('quote-pay')).toHaveLength(1)
    byTestId('policy-surrender').click()
    await flushPromises()
    await fill('surrender-refund', '900')
    byTestId('surrender-submit').click()
    await settle()
    expect(body).toEqual({ refund_amount: '900', reason: '' })
    expect(errorNextTo('surrender-refund')).toBe('退费金额应在 0 到保费 855.00 之间')
    expect(errorNextTo('surrender-reason')).toBe('请填写退保原因')
  })
})

describe('console: 快速报价', () => {
  const car = {
    id: 7,
    customer: 11,
    plate: '粤B2088Z',
    vin: 'LSVAU218XN2183294',
    brand_model: '大众帕萨特',
    seats: 5,
    displacement: '2.00',
    energy: 'fuel',
    energy_label: '燃油',
    use: 'family',
    use_label: '家庭自用汽车',
    first_registered_on: '2022-03-15',
    purchase_price: '215000.00',
  }
  const zhangDetail = { ...zhang, id_number: '', promoter: null, registered_on: '2026-01-01', vehicles: [car], follow_ups: [], reminders: [], preferences: [] }
  const unavailable = {
    ...option(0, { code: 'CPIC', name: '中国太平洋财产保险', short_name: '太保产险', logo: '', color: '#0050A0' }, '0.00', 0),
    available: false,
    unavailable_reason: '本租户未配置该保险公司的家庭自用汽车费率表',
    rank: null,
    cheapest: false,
    breakdown: {},
  }
  const rating = {
    region: '广东',
    rated_on: '2026-03-01',
    valid_until: '2026-03-08',
    history: { ctpl_class: 'A1', claim_free_years: 1, claims_last_year: 0, source: 'stated', transferred: false },
    options: [
      { ...option(0, picc, '3950.00', 1), id: undefined },
      { ...option(0, pingan, '4102.35', 2), id: undefined },
      { ...unavailable, id: undefined },
    ],
  }

  function quickServer(answer: Answer = () => undefined) {
    return fakeServer(async (req, url) => {
      const own = await answer(req, url)
      if (own) return own
      if (url.pathname === '/api/v1/customers/') return json(200, page([{ ...zhang, id_number: '', vehicle_count: 1, promoter: null, registered_on: '2026-01-01' }]))
      if (url.pathname === '/api/v1/customers/11/') return json(200, zhangDetail)
    })
  }

  // the drawer is a lazy chunk: compile it once up front, not inside the first test's time
  beforeAll(() => import('./QuickQuoteDrawer.vue'), 60_000)

  async function openQuick() {
    byTestId('quick-quote').click()
    await vi.waitFor(() => expect(byTestId('quick-quote-drawer')).toBeTruthy())
    await settle()
  }

  const dropdownItem = (text: string) =>
    [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((o) => o.textContent?.includes(text))!

  it('试算 a typed car for a new customer: the rating body, then every insurer ranked with 最低价 and the breakdown', async () => {
    let sent: unknown = null
    const fetchMock = quickServer(async (req, url) => {
      if (url.pathname === '/api/v1/rating/' && req.method === 'POST') {
        sent = await req.clone().json()
        return json(200, rating)
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    await openQuick()

    byTestId('qq-mode-new').querySelector('input')!.click()
    await flushPromises()
    await fill('qq-customer-name', '王芳')
    await fill('qq-customer-mobile', '13900139000')
    await fill('qq-plate', '粤b12345')
    await fill('qq-vin', 'lsvau218xn2183294')
    await fill('qq-seats', '7')
    await fill('qq-displacement', '1.8')
    await fill('qq-purchase-price', '189000')
    byTestId('qq-cov-scratch').querySelector('input')!.click()
    await flushPromises()
    byTestId('qq-rate').click()
    await settle()

    expect(sent).toEqual({
      vehicle: { plate: '粤B12345', vin: 'LSVAU218XN2183294', use: 'family', seats: 7, displacement: '1.8', energy: 'fuel', purchase_price: '189000' },
      history: { ctpl_class: 'A1', claim_free_years: 1, claims_last_year: 0, transferred: false },
      coverages: {
        ctpl: true,
        vehicle_tax: true,
        commercial: [
          { code: 'own_damage' },
          { code: 'third_party', limit: '1000000' },
          { code: 'driver_liability', seats: 1, limit_per_seat: '10000' },
          { code: 'passenger_liability', seats: 6, limit_per_seat: '10000' },
          { code: 'scratch', limit: '2000' },
        ],
      },
      // 投保地区 from the plate's first character
      province: '广东',
    })
    // 试算 stores nothing
    expect(fetchMock.mock.calls.some(([r]) => new URL(r.url).pathname === '/api/v1/quotes/' && r.method === 'POST')).toBe(false)

    expect(byTestId('qq-summary').textContent).toContain('2 家保险公司可承保')
    expect(byTestId('qq-summary').textContent).toContain('按所填出险记录计')
    // a typed car with no registration date: nothing says it is new, so no notice
    expect(allByTestId('qq-new-car')).toHaveLength(0)
    const rows = [...byTestId('qq-result').querySelectorAll('.el-table__body > tbody > tr.el-table__row')].map((tr) => tr.textContent ?? '')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toContain('人保财险')
    expect(rows[0]).toContain('第 1 名')
    expect(rows[0]).toContain('最低价')
    expect(rows[0]).toContain('¥557.20')
    expect(rows[1]).toContain('平安产险')
    expect(rows[1]).toContain('第 2 名')
    expect(rows[1]).not.toContain('最低价')
    expect(rows[2]).toContain('无法承保：本租户未配置该保险公司的家庭自用汽车费率表')
    expect(allByTestId('qq-total').map((e) => e.textContent)).toEqual(['¥3,950.00', '¥4,102.35', '—'])
    expect(allByTestId('qq-cheapest')).toHaveLength(1)

    byTestId('qq-result').querySelector<HTMLElement>('.el-table__expand-icon')!.click()
    await flushPromises()
    const explained = byTestId('option-breakdown').textContent ?? ''
    expect(explained).toContain('基础保费 ¥950.00')
    expect(explained).toContain('× 12/12 = ¥480.00')
  })

  it('shows a 400 on vehicle.seats under 座位数 and the message on top', async () => {
    vi.stubGlobal(
      'fetch',
      quickServer((_req, url) => {
        if (url.pathname === '/api/v1/rating/')
          return json(400, {
            code: 'invalid',
            message: '请检查填写的内容',
            fields: { 'vehicle.seats': ['座位数应在 1 到 60 之间'], province: ['请选择投保地区（车牌无法判断省份时必填）'] },
          })
      }),
    )
    await mountPage()
    await openQuick()
    byTestId('qq-mode-new').querySelector('input')!.click()
    await flushPromises()
    await fill('qq-plate', 'WJ12345')
    await fill('qq-seats', '0')
    byTestId('qq-rate').click()
    await settle()
    expect(errorNextTo('qq-seats')).toBe('座位数应在 1 到 60 之间')
    expect(errorNextTo('qq-province')).toBe('请选择投保地区（车牌无法判断省份时必填）')
    expect(errorNextTo('qq-plate')).toBeUndefined()
    expect(byTestId('qq-error').textContent).toContain('请检查填写的内容')
    expect(allByTestId('qq-result')).toHaveLength(0)
  })

  it('生成报价单 for a customer’s stored car posts /quotes/ with vehicle_id, opens the new quote and refreshes the list', async () => {
    let created: unknown = null
    const fetchMock = quickServer(async (req, url) => {
      if (url.pathname === '/api/v1/quotes/' && req.method === 'POST') {
        created = await req.clone().json()
        return json(201, quotedDetail)
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    await openQuick()

    byTestId('qq-customer').querySelector<HTMLElement>('.el-select__wrapper')!.click()
    await settle()
    dropdownItem('13800138000 · 1 辆车').click()
    await settle()
    // the customer's car is chosen and its record fills the boxes
    expect((byTestId('qq-plate') as HTMLInputElement).value).toBe('粤B2088Z')
    expect((byTestId('qq-seats') as HTMLInputElement).value).toBe('5')

    const listCalls = () => fetchMock.mock.calls.filter(([r]) => new URL(r.url).pathname === '/api/v1/quotes/' && r.method === 'GET').length
    const before = listCalls()
    byTestId('qq-create').click()
    await settle()

    expect(created).toEqual({
      vehicle_id: 7,
      vehicle: {},
      history: { ctpl_class: 'A1', claim_free_years: 1, claims_last_year: 0, transferred: false },
      coverages: {
        ctpl: true,
        vehicle_tax: true,
        commercial: [
          { code: 'own_damage' },
          { code: 'third_party', limit: '1000000' },
          { code: 'driver_liability', seats: 1, limit_per_seat: '10000' },
          { code: 'passenger_liability', seats: 4, limit_per_seat: '10000' },
        ],
      },
      province: '广东',
    })
    expect(byTestId('quote-drawer').textContent).toContain('报价单 Q20260301000002')
    expect(listCalls()).toBe(before + 1)
  })

  it('a customer’s week-old car without a policy: the form says it is priced as new, until a transfer of history is stated', async () => {
    const weekAgo = localToday(new Date(Date.now() - 7 * 86_400_000))
    let sent: Record<string, unknown> | null = null
    vi.stubGlobal(
      'fetch',
      quickServer(async (req, url) => {
        if (url.pathname === '/api/v1/customers/11/')
          return json(200, { ...zhangDetail, vehicles: [{ ...car, first_registered_on: weekAgo, ctpl_expires_on: null, commercial_expires_on: null }] })
        if (url.pathname === '/api/v1/rating/' && req.method === 'POST') {
          sent = await req.clone().json()
          return json(200, rating)
        }
      }),
    )
    await mountPage()
    await openQuick()
    byTestId('qq-customer').querySelector<HTMLElement>('.el-select__wrapper')!.click()
    await settle()
    dropdownItem('13800138000 · 1 辆车').click()
    await settle()
    expect(byTestId('qq-new-car').textContent).toContain('按新车报价：交强险不浮动，商业险 NCD 1.0')
    expect(byTestId('qq-ctpl-class').querySelector('.is-disabled')).toBeTruthy()

    byTestId('qq-history-transferred').querySelector('input')!.click()
    await flushPromises()
    expect(allByTestId('qq-new-car')).toHaveLength(0)
    byTestId('qq-rate').click()
    await settle()
    expect(sent!.history).toEqual({ ctpl_class: 'A1', claim_free_years: 1, claims_last_year: 0, transferred: true })
  })

  it('生成报价单 for a new customer sends customer {name, mobile} and shows customer.mobile under 手机号', async () => {
    let created: Record<string, unknown> | null = null
    vi.stubGlobal(
      'fetch',
      quickServer(async (req, url) => {
        if (url.pathname === '/api/v1/quotes/' && req.method === 'POST') {
          created = await req.clone().json()
          return json(400, { code: 'invalid', message: '请检查填写的内容', fields: { 'customer.mobile': ['手机号格式不正确'] } })
        }
      }),
    )
    await mountPage(['agent'])
    await openQuick()
    byTestId('qq-mode-new').querySelector('input')!.click()
    await flushPromises()
    await fill('qq-customer-name', '王芳')
    await fill('qq-customer-mobile', '1390013')
    await fill('qq-plate', '粤B12345')
    byTestId('qq-create').click()
    await settle()
    expect(created!.customer).toEqual({ name: '王芳', mobile: '1390013' })
    expect(created!.vehicle_id).toBeUndefined()
    expect(errorNextTo('qq-customer-mobile')).toBe('手机号格式不正确')
    expect(allByTestId('quote-drawer').filter((d) => d.textContent?.includes('报价单 Q'))).toHaveLength(0)
  })

  it('finance may 试算 but not 生成报价单', async () => {
    vi.stubGlobal('fetch', quickServer())
    await mountPage(['finance'])
    await openQuick()
    expect(allByTestId('qq-rate')).toHaveLength(1)
    expect(allByTestId('qq-create')).toHaveLength(0)
  })
})
