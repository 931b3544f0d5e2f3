import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, RouterView } from 'vue-router'
import { createShell } from '@shared/shell'
import { OWNER_ENTRIES } from '../../owner/entries'
import BrandingPage from './BrandingPage.vue'
import { CONSOLE } from '../context'
import { byTestId, errorNextTo, fill, json, resetBetweenTests, settle } from '../testing'

const saved = {
  display_name: '大唐经纪',
  short_name: '大唐',
  slogan: '车险理赔 一路相伴',
  logo_url: '',
  favicon_url: '',
  h5_title: '',
  primary_color: '#C8102E',
  secondary_color: '#F2A900',
}

async function mountPage(answer: (req: Request, url: URL) => Response | Promise<Response>, path = '/') {
  // the branding loader fetches a bare path; the API client a Request
  const asRequest = (r: Request | string) => (typeof r === 'string' ? new Request(new URL(r, window.location.origin)) : r)
  vi.stubGlobal('fetch', vi.fn(async (r: Request | string) => answer(asRequest(r), new URL(asRequest(r).url))))
  const { router, session, brand } = createShell(
    'console',
    [
      { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
      { path: '/', name: 'branding', component: BrandingPage },
      { path: '/tenants/:id/branding', name: 'tenant-branding', component: BrandingPage },
    ],
    createMemoryHistory(),
  )
  session.me.value = { id: 1, mobile: '13600136000', name: '管理员', roles: ['tenant_admin'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' } } // prettier-ignore
  await router.push(path)
  mount(RouterView, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
  })
  await flushPromises()
  return { brand }
}

resetBetweenTests()

describe('console: 品牌设置', () => {
  it('previews the owner H5 with the unsaved colours and title while typing', async () => {
    await mountPage(() => json(200, saved))
    const preview = byTestId('brand-preview')
    expect(preview.style.getPropertyValue('--sxb-primary')).toBe('#C8102E')
    expect(byTestId('preview-title').textContent).toBe('大唐经纪')
    await fill('branding-primary_color', '#0A7C3E')
    await fill('branding-h5_title', '大唐车险·车主服务')
    expect(preview.style.getPropertyValue('--sxb-primary')).toBe('#0A7C3E')
    expect(preview.style.getPropertyValue('--sxb-secondary')).toBe('#F2A900')
    expect(byTestId('preview-title').textContent).toBe('大唐车险·车主服务')
    expect(preview.querySelector('[data-testid="brand-name"]')?.textContent).toBe('大唐经纪')
    await fill('branding-display_name', '大唐车险')
    expect(preview.querySelector('[data-testid="brand-name"]')?.textContent).toBe('大唐车险')
    // laid out like the owner H5's home: its tiles in its order, its tab bar
    const tiles = [...byTestId('preview-tiles').querySelectorAll('.tile')].map((t) => t.textContent?.trim())
    expect(tiles).toEqual(OWNER_ENTRIES.map((e) => e.label))
    expect(tiles).toEqual(['我的车辆', '快速报价', '我的报价', '保养预约', '维修保养', '礼包', '商城', '我的推荐'])
    expect(byTestId('preview-tabbar').textContent?.replace(/\s+/g, '')).toBe('首页消息我的')
  })

  it('repaints the console (its header and colours) right after saving, without a reload', async () => {
    let current = { ...saved, scope: 'tenant', tenant: null }
    const { brand } = await mountPage(async (req, url) => {
      if (req.method === 'PATCH') {
        current = { ...current, ...(await req.json()) }
        return json(200, current)
      }
      if (url.pathname === '/api/v1/branding/') return json(200, current)
      return json(200, saved)
    })
    await fill('branding-display_name', '大唐车险')
    await fill('branding-primary_color', '#0A7C3E')
    byTestId('branding-save').click()
    await settle()
    expect(brand.branding.value?.display_name).toBe('大唐车险') // LayoutPage's BrandBar reads this
    expect(document.documentElement.style.getPropertyValue('--sxb-primary')).toBe('#0A7C3E')
  })

  it('sends only the changed fields and shows the server field error next to its field', async () => {
    const sent: unknown[] = []
    await mountPage(async (req) => {
      if (req.method === 'PATCH') {
        sent.push(await req.json())
        return json(400, { code: 'invalid', message: '品牌设置有误', fields: { slogan: ['不能超过 120 个字'] } })
      }
      return json(200, saved)
    })
    await fill('branding-slogan', '很长的口号')
    byTestId('branding-save').click()
    await settle()
    expect(sent).toEqual([{ slogan: '很长的口号' }])
    expect(errorNextTo('branding-slogan')).toBe('不能超过 120 个字')
  })

  it('catches a bad colour before saving', async () => {
    const fetchCalls: string[] = []
    await mountPage((req) => {
      fetchCalls.push(req.method)
      return json(200, saved)
    })
    await fill('branding-secondary_color', 'orange')
    byTestId('branding-save').click()
    await settle()
    expect(errorNextTo('branding-secondary_color')).toBe('颜色应为 #RRGGBB 格式，如 #C8102E')
    expect(fetchCalls).toEqual(['GET'])
  })

  it("edits another tenant's branding through the platform endpoints", async () => {
    const paths: string[] = []
    await mountPage((req, url) => {
      paths.push(`${req.method} ${url.pathname}`)
      return json(200, saved)
    }, '/tenants/3/branding')
    expect(paths).toEqual(['GET /api/v1/platform/tenants/3/branding/'])
  })
})
