import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from './context'
import InsurersPage from './InsurersPage.vue'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

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

type Answer = (req: Request, url: URL) => Response | undefined | Promise<Response | undefined>

function fakeServer(answer: Answer = () => undefined) {
  return vi.fn(async (req: Request) => {
    const url = new URL(req.url)
    const own = await answer(req, url)
    if (own) return own
    if (url.pathname === '/api/v1/insurers/') return json(200, [picc, pingan])
    if (url.pathname === '/api/v1/insurers/PICC/rating-tables/family/' && req.method === 'GET') return json(200, table)
    return json(404, { code: 'not_found', message: '未找到', fields: {} })
  })
}

async function mountPage(roles = ['tenant_admin']) {
  const { router, session, brand } = createShell(
    'console',
    [
      { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
      { path: '/', name: 'insurers', component: InsurersPage },
    ],
    createMemoryHistory(),
  )
  session.me.value = { id: 1, mobile: '13600136000', name: '管理员', roles, scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' } }
  mount(InsurersPage, {
    attachTo: document.body,
    global: {
      plugins: [router],
      provide: { [CONSOLE as symbol]: { session, brand } },
      stubs: { transition: false, 'transition-group': false },
    },
  })
  await flushPromises()
}

const card = (code: string) => document.querySelector<HTMLElement>(`[data-testid="insurer-${code}"]`)!
const inCard = (code: string, id: string) => card(code).querySelector<HTMLElement>(`[data-testid="${id}"]`)!
const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!

async function type(el: HTMLElement, value: string) {
  const input = (el.matches('input, textarea') ? el : el.querySelector('input, textarea')) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

const errorNextTo = (el: HTMLElement) => el.closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim()
const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
}

beforeEach(() => {
  window.localStorage.clear()
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

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
