import { flushPromises } from '@vue/test-utils'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import InsurersPage from './InsurersPage.vue'
import { byTestId, datangStaff, fakeApi, json, mountConsolePage, resetBetweenTests, settle } from '../testing'

const picc = {
  code: 'PICC',
  name: '中国人民财产保险',
  short_name: '人保财险',
  logo: 'data:image/svg+xml;base64,PHN2Zy8+',
  color: '#E60012',
  factor_min: '0.6500',
  factor_max: '1.3500',
  default_factor: '0.8500',
  agent_adjustment: '0.1000',
  terms: { enabled: true, ctpl_commission_rate: '0.0400', commercial_commission_rate: '0.2000', autonomous_pricing_factor: null },
  rating_tables: [
    { use: 'family', use_label: '家庭自用汽车', name: '人保 2026 家庭自用', source: 'insurer', updated_at: '2026-01-05T08:00:00Z' },
    { use: 'enterprise', use_label: '企业非营业客车', name: '本租户企业客车', source: 'tenant', updated_at: '2026-02-01T08:00:00Z' },
  ],
}
const pingan = { ...picc, code: 'PINGAN', name: '中国平安财产保险', short_name: '平安产险', logo: '', terms: null, rating_tables: [] }

const table = {
  name: '人保 2026 家庭自用',
  source: 'insurer',
  coverages: { third_party: { form: 'limit_bases', name: '第三者责任保险', by_limit: { '1000000': '1570' } } },
}

const BANDS = ['≤1.0L', '1.0–1.6L', '1.6–2.0L', '2.0–2.5L', '2.5–3.0L', '3.0–4.0L', '>4.0L']
const money = (...amounts: number[]) => amounts.map((a) => a.toFixed(2))
let taxTables: unknown[] = []
const guangdong = { province: '广东', annual_tax: money(180, 360, 420, 720, 1800, 3000, 4500), bands: BANDS, source: 'tenant' }
const beijing = { province: '北京', annual_tax: money(300, 420, 480, 900, 1800, 3000, 4500), bands: BANDS, source: 'built_in' }

const fakeServer = fakeApi((req, url) => {
  if (url.pathname === '/api/v1/insurers/') return json(200, [picc, pingan])
  if (url.pathname === '/api/v1/insurers/PICC/rating-tables/family/' && req.method === 'GET') return json(200, table)
  if (url.pathname === '/api/v1/vehicle-tax-tables/' && req.method === 'GET') return json(200, taxTables)
})

const mountPage = (roles = ['tenant_admin']) => mountConsolePage(InsurersPage, datangStaff(roles))

const card = (code: string) => document.querySelector<HTMLElement>(`[data-testid="insurer-${code}"]`)!
const inCard = (code: string, id: string) => card(code).querySelector<HTMLElement>(`[data-testid="${id}"]`)!

async function type(el: HTMLElement, value: string) {
  const input = (el.matches('input, textarea') ? el : el.querySelector('input, textarea')) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

const errorNextTo = (el: HTMLElement) => el.closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim()

beforeEach(() => {
  taxTables = [guangdong, beijing]
})
resetBetweenTests()

describe('console: insurers (保险公司)', () => {
  it('shows each insurer with logo, terms and rating tables with their source', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage()
    expect(card('PICC').querySelector('img')!.getAttribute('src')).toBe(picc.logo)
    expect(card('PICC').textContent).toContain('已开通')
    expect(card('PINGAN').textContent).toContain('未开通')
    expect((inCard('PICC', 'terms-ctpl').querySelector('input') as HTMLInputElement).value).toBe('4.00')
    expect((inCard('PICC', 'terms-commercial').querySelector('input') as HTMLInputElement).value).toBe('20.00')
    const tables = inCard('PICC', 'rating-tables').textContent ?? ''
    expect(tables).toContain('家庭自用汽车人保 2026 家庭自用保险公司')
    expect(tables).toContain('企业非营业客车本租户企业客车本租户')
  })

  it("shows the server's 4% cap error under 交强险手续费率 and sends rates as fractions", async () => {
    let sent: unknown = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname === '/api/v1/insurers/PICC/terms/' && req.method === 'PUT') {
          sent = await req.clone().json()
          return json(400, { code: 'invalid', message: '请检查填写的内容', fields: { ctpl_commission_rate: ['交强险手续费率不得超过保费的 4%'] } })
        }
      }),
    )
    await mountPage(['finance'])
    await type(inCard('PICC', 'terms-ctpl'), '5')
    await type(inCard('PICC', 'terms-commercial'), '22.5')
    await type(inCard('PICC', 'terms-factor'), '0.9')
    inCard('PICC', 'terms-save').click()
    await settle()
    expect(sent).toEqual({
      enabled: true,
      ctpl_commission_rate: '0.0500',
      commercial_commission_rate: '0.2250',
      autonomous_pricing_factor: '0.9000',
    })
    expect(errorNextTo(inCard('PICC', 'terms-ctpl'))).toBe('交强险手续费率不得超过保费的 4%')
    expect(errorNextTo(inCard('PICC', 'terms-commercial'))).toBeUndefined()
    expect(errorNextTo(inCard('PINGAN', 'terms-ctpl'))).toBeUndefined()
    // finance sets terms but does not edit rating tables
    expect(card('PICC').querySelector('[data-testid="rating-edit"]')).toBeNull()
  })

  it('edits a rating table as JSON and shows the server error with its dotted field', async () => {
    let saved: unknown = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname === '/api/v1/insurers/PICC/rating-tables/family/' && req.method === 'PUT') {
          saved = await req.clone().json()
          return json(400, {
            code: 'invalid',
            message: '应为非负数：\'-1\'',
            fields: { 'coverages.third_party.by_limit.1000000': ["应为非负数：'-1'"] },
          })
        }
      }),
    )
    await mountPage()
    ;(card('PICC').querySelector('[data-testid="rating-edit"]') as HTMLElement).click()
    await flushPromises()
    const box = byTestId('rating-json') as HTMLTextAreaElement
    expect(JSON.parse(box.value)).toEqual(table.coverages)
    expect(byTestId('rating-dialog').textContent).toContain('保存后将另存为本租户费率表')

    await type(byTestId('rating-json'), '{ not json')
    byTestId('rating-save').click()
    await settle()
    expect(errorNextTo(byTestId('rating-json'))).toMatch(/^JSON 格式不正确/)
    expect(saved).toBeNull()

    const edited = { third_party: { form: 'limit_bases', name: '第三者责任保险', by_limit: { '1000000': '-1' } } }
    await type(byTestId('rating-json'), JSON.stringify(edited))
    byTestId('rating-save').click()
    await settle()
    expect(saved).toEqual({ name: '人保 2026 家庭自用', coverages: edited })
    expect(errorNextTo(byTestId('rating-json'))).toBe("coverages.third_party.by_limit.1000000：应为非负数：'-1'")
  })
})

describe('console: 车船税税额 (保险公司 page)', () => {
  // the tab is a lazy chunk: compile it once up front
  beforeAll(() => import('./VehicleTaxTablesPanel.vue'), 60_000)

  async function openTaxTab() {
    const tab = [...document.querySelectorAll<HTMLElement>('.el-tabs__item')].find((t) => t.textContent?.trim() === '车船税税额')!
    tab.click()
    await vi.waitFor(() => expect(document.querySelector('[data-testid="tax-tables"]')).toBeTruthy())
    await settle()
  }
  const rows = () =>
    [...byTestId('tax-tables').querySelectorAll('.el-table__body-wrapper tr.el-table__row')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
  const amountBox = (i: number) => byTestId(`tax-amount-${i}`)

  it('lists every province with its 7 bands, the source and the legal range of each band', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage()
    await openTaxTab()
    const header = byTestId('tax-tables').querySelector('.el-table__header-wrapper')!.textContent ?? ''
    expect(header).toContain('≤1.0L60–360 元')
    expect(header).toContain('>4.0L3600–5400 元')
    expect(rows().map((r) => r.slice(0, 8))).toEqual([
      ['广东本租户', '180', '360', '420', '720', '1800', '3000', '4500'],
      ['北京内置', '300', '420', '480', '900', '1800', '3000', '4500'],
    ])
  })

  it('edits a province: sends the 7 amounts and shows "annual_tax.2" under the third box', async () => {
    let sent: { path: string; body: unknown } | null = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname.startsWith('/api/v1/vehicle-tax-tables/') && req.method === 'PUT') {
          sent = { path: decodeURIComponent(url.pathname), body: await req.clone().json() }
          return json(400, {
            code: 'invalid',
            message: '车船税额超出法定范围',
            fields: { 'annual_tax.2': ['1.6–2.0L：300 元不在法定范围 360–660 元内'] },
          })
        }
      }),
    )
    await mountPage()
    await openTaxTab()
    ;[...document.querySelectorAll<HTMLElement>('[data-testid="tax-edit"]')][0].click()
    await settle()
    expect(byTestId('tax-dialog').textContent).toContain('编辑车船税税额 · 广东')
    expect((amountBox(0) as HTMLInputElement).value).toBe('180')
    expect((byTestId('tax-province') as HTMLInputElement).disabled).toBe(true)
    await type(amountBox(2), '300')
    byTestId('tax-save').click()
    await settle()
    expect(sent).toEqual({ path: '/api/v1/vehicle-tax-tables/广东/', body: { annual_tax: ['180', '360', '300', '720', '1800', '3000', '4500'] } })
    expect(errorNextTo(amountBox(2))).toBe('1.6–2.0L：300 元不在法定范围 360–660 元内')
    expect(errorNextTo(amountBox(1))).toBeUndefined()
    expect(errorNextTo(amountBox(3))).toBeUndefined()
    expect(byTestId('tax-error').textContent).toContain('车船税额超出法定范围')
    // the legal range is shown next to every box, the one typed outside it marked
    const ranges = [...document.querySelectorAll<HTMLElement>('[data-testid="tax-range"]')]
    expect(ranges.map((r) => r.textContent?.trim())).toEqual([
      '法定范围 60–360 元',
      '法定范围 300–540 元',
      '法定范围 360–660 元',
      '法定范围 660–1200 元',
      '法定范围 1200–2400 元',
      '法定范围 2400–3600 元',
      '法定范围 3600–5400 元',
    ])
    expect(ranges.map((r) => r.classList.contains('warn'))).toEqual([false, false, true, false, false, false, false])
  })

  it('添加省份: the province and 7 amounts, an unknown province named by the server, then the list again', async () => {
    const sent: { path: string; body: unknown }[] = []
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname.startsWith('/api/v1/vehicle-tax-tables/') && req.method === 'PUT') {
          const path = decodeURIComponent(url.pathname)
          const body = (await req.clone().json()) as { annual_tax: string[] }
          sent.push({ path, body })
          if (path.includes('浙省')) return json(400, { code: 'invalid', message: '未知的投保地区：浙省', fields: { province: ['未知的投保地区：浙省'] } })
          const saved = { province: '浙江', annual_tax: body.annual_tax.map((a) => Number(a).toFixed(2)), bands: BANDS, source: 'tenant' }
          taxTables = [saved, guangdong, beijing]
          return json(200, saved)
        }
      }),
    )
    await mountPage()
    await openTaxTab()
    byTestId('tax-add').click()
    await settle()
    expect(byTestId('tax-dialog').textContent).toContain('添加省份车船税税额')
    await type(byTestId('tax-province'), '浙省')
    const amounts = ['180', '360', '420', '720', '1800', '3000', '4500']
    for (const [i, a] of amounts.entries()) await type(amountBox(i), a)
    byTestId('tax-save').click()
    await settle()
    expect(errorNextTo(byTestId('tax-province'))).toBe('未知的投保地区：浙省')

    await type(byTestId('tax-province'), '浙江')
    byTestId('tax-save').click()
    await settle()
    expect(sent.map((s) => s.path)).toEqual(['/api/v1/vehicle-tax-tables/浙省/', '/api/v1/vehicle-tax-tables/浙江/'])
    expect(sent[1].body).toEqual({ annual_tax: amounts })
    expect(rows().map((r) => r[0])).toEqual(['浙江本租户', '广东本租户', '北京内置'])
  })

  it('finance sees the tables but cannot change them', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage(['finance'])
    await openTaxTab()
    expect(rows()).toHaveLength(2)
    expect(document.querySelector('[data-testid="tax-add"]')).toBeNull()
    expect(document.querySelector('[data-testid="tax-edit"]')).toBeNull()
  })
})
