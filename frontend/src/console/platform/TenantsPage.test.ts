import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from '../context'
import TenantsPage from './TenantsPage.vue'
import { byTestId, fill, json, resetBetweenTests } from '../testing'

const datang = {
  id: 2,
  name: '大唐保险经纪有限公司',
  schema_name: 'datang',
  kind: 'brokerage',
  domain: 'datang.localhost',
  is_active: true,
  status: 'active',
  status_reason: '',
  created_at: '2026-01-05T09:00:00+08:00',
  member_count: 12,
  node: '127.0.0.1:9702',
  branding: { display_name: '大唐经纪', primary_color: '#C8102E', secondary_color: '#F2A900' },
}

function fakeServer(createAnswer: () => Response) {
  return vi.fn(async (req: Request) => {
    const url = new URL(req.url)
    if (url.pathname !== '/api/v1/platform/tenants/') return json(404, { code: 'not_found', message: '未找到', fields: {} })
    if (req.method === 'POST') return createAnswer()
    return json(200, { count: 1, next: null, previous: null, results: [datang] })
  })
}

async function mountPage() {
  const { router, session, brand } = createShell('console', [
      { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
      { path: '/', name: 'tenants', component: TenantsPage },
    ], createMemoryHistory())
  const wrapper = mount(TenantsPage, {
    attachTo: document.body,
    global: {
      plugins: [router],
      provide: { [CONSOLE as symbol]: { session, brand } },
      stubs: { transition: false, 'transition-group': false },
    },
  })
  await flushPromises()
  return wrapper
}

resetBetweenTests()

describe('platform console: tenants', () => {
  it('lists tenants with their domain, member count and data node', async () => {
    const fetchMock = fakeServer(() => json(201, datang))
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    const table = byTestId('tenant-table').textContent ?? ''
    expect(table).toContain('大唐经纪')
    expect(table).toContain('datang.localhost')
    expect(table).toContain('12')
    expect(byTestId('tenant-node-datang').textContent).toBe('127.0.0.1:9702')
    expect(new URL(fetchMock.mock.calls[0][0].url).search).toBe('?page=1&page_size=20')
  })

  it("shows the server's field errors next to the fields of the new-tenant form", async () => {
    let posted: unknown = null
    const fetchMock = fakeServer(() =>
      json(400, {
        code: 'invalid',
        message: '租户信息有误',
        fields: {
          schema_name: ['模式名 datang 已被占用'],
          'branding.primary_color': ['颜色应为 #RRGGBB 格式'],
          'admin.mobile': ['手机号格式不正确'],
        },
      }),
    )
    fetchMock.mockImplementationOnce(async () => json(200, { count: 0, next: null, previous: null, results: [] }))
    vi.stubGlobal('fetch', async (req: Request) => {
      if (req.method === 'POST') posted = await req.clone().json()
      return fetchMock(req)
    })
    await mountPage()
    byTestId('tenant-new').click()
    await flushPromises()
    await fill('tenant-form-name', '大唐二号')
    await fill('tenant-form-schema_name', 'datang')
    await fill('tenant-form-domain', 'datang2.localhost')
    await fill('tenant-form-primary_color', 'red')
    await fill('tenant-form-admin_mobile', '123')
    byTestId('tenant-form-submit').click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 150)) // Element Plus shows a form item's error after a 100 ms debounce

    expect(posted).toMatchObject({
      name: '大唐二号',
      schema_name: 'datang',
      kind: 'brokerage',
      domain: 'datang2.localhost',
      branding: { display_name: '大唐二号', primary_color: 'red' },
      admin: { mobile: '123' },
    })
    const errorNextTo = (id: string) =>
      byTestId(id).closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim()
    expect(errorNextTo('tenant-form-schema_name')).toBe('模式名 datang 已被占用')
    expect(errorNextTo('tenant-form-primary_color')).toBe('颜色应为 #RRGGBB 格式')
    expect(errorNextTo('tenant-form-admin_mobile')).toBe('手机号格式不正确')
    expect(errorNextTo('tenant-form-domain')).toBeUndefined()
    expect(errorNextTo('tenant-form-secondary_color')).toBeUndefined()
    expect(document.body.textContent).toContain('租户信息有误')
  })

  it('refreshes the table after a tenant is created', async () => {
    const fetchMock = fakeServer(() => json(201, { ...datang, id: 3, schema_name: 'anda', domain: 'anda.localhost' }))
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    byTestId('tenant-new').click()
    await flushPromises()
    await fill('tenant-form-name', '安达保险代理有限公司')
    await fill('tenant-form-schema_name', 'anda')
    await fill('tenant-form-domain', 'anda.localhost')
    byTestId('tenant-form-submit').click()
    await flushPromises()
    const methods = fetchMock.mock.calls.map(([req]) => req.method)
    expect(methods).toEqual(['GET', 'POST', 'GET'])
  })

  it('shows a suspended tenant as such and resumes it, then reloads the list', async () => {
    const calls: string[] = []
    let suspended = true
    vi.stubGlobal('fetch', async (req: Request) => {
      const url = new URL(req.url)
      calls.push(`${req.method} ${url.pathname}`)
      if (url.pathname === '/api/v1/platform/tenants/2/resume/') {
        suspended = false
        return json(200, { ...datang, status: 'active' })
      }
      const row = { ...datang, status: suspended ? 'suspended' : 'active', status_reason: suspended ? '欠费' : '' }
      return json(200, { count: 1, next: null, previous: null, results: [row] })
    })
    await mountPage()
    expect(byTestId('tenant-status').textContent?.trim()).toBe('已暂停')
    expect(byTestId('tenant-status').getAttribute('title')).toBe('欠费')
    byTestId('tenant-resume-datang').click()
    await flushPromises()
    expect(calls).toEqual(['GET /api/v1/platform/tenants/', 'POST /api/v1/platform/tenants/2/resume/', 'GET /api/v1/platform/tenants/'])
    expect(byTestId('tenant-status').textContent?.trim()).toBe('正常')
    expect(byTestId('tenant-suspend-datang')).toBeTruthy()
  })

  it('refuses step 2 of a deletion until the export is ready and the schema name is typed', async () => {
    const deleting = { ...datang, status: 'deleting' }
    const exportRow = { id: 9, tenant: 2, schema_name: 'datang', tenant_name: datang.name, requested_by_name: '平台管理员', requested_at: '2026-11-26T09:00:00+08:00', status: 'pending', size_bytes: 0, table_count: 0, row_count: 0, error: '', finished_at: null, deleted_at: null } // prettier-ignore
    let ready = false
    vi.stubGlobal('fetch', async (req: Request) => {
      const url = new URL(req.url)
      if (url.pathname === '/api/v1/platform/tenants/2/deletion/')
        return json(200, [ready ? { ...exportRow, status: 'ready', table_count: 61, row_count: 1834 } : exportRow])
      return json(200, { count: 1, next: null, previous: null, results: [deleting] })
    })
    await mountPage()
    byTestId('tenant-delete-datang').click()
    await flushPromises()
    const confirm = () => byTestId('deletion-confirm') as HTMLButtonElement
    expect(confirm().disabled).toBe(true)
    expect(document.body.textContent).toContain('导出中')
    ready = true
    const refresh = [...document.querySelectorAll('button')].find((b) => b.textContent?.includes('刷新导出状态'))!
    refresh.click()
    await flushPromises()
    expect(document.body.textContent).toContain('61 张表，1834 行')
    await fill('deletion-confirm-input', 'datan')
    expect(confirm().disabled).toBe(true)
    await fill('deletion-confirm-input', 'datang')
    expect(confirm().disabled).toBe(false)
  })
})

describe('platform console: tenants on a single PostgreSQL', () => {
  it('shows 单节点 where a tenant has no Citus worker', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { count: 1, next: null, previous: null, results: [{ ...datang, node: null }] })))
    await mountPage()
    expect(byTestId('tenant-node-datang').textContent).toBe('单节点')
  })
})
