import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import ProductsPage from './ProductsPage.vue'
import { allByTestId, byTestId, datangStaff, errorNextTo, fakeApi, fill, json, mountConsolePage, page, resetBetweenTests, settle } from '../testing'

const oil = {
  id: 3, name: '壳牌蓝喜力机油', kind: 'goods', kind_label: '商品', source: '壳牌直供', market_price: '210.00', actual_price: '100.00',
  stock: 12, on_shelf: true, archived: false, image_url: '/media/tenants/datang/products/3.jpg', image_h5_url: '/media/tenants/datang/products/3-h5.jpg',
  created_at: '2026-11-20T10:00:00+08:00',
} // prettier-ignore
const wash = { ...oil, id: 4, name: '精洗一次', kind: 'service', kind_label: '服务', source: '', market_price: '80.00', actual_price: '39.00', stock: null, on_shelf: false, image_url: '', image_h5_url: '' }

const fakeServer = fakeApi((_req, url) => {
  if (url.pathname === '/api/v1/products/') return json(200, page([oil, wash]))
})

const mountPage = (roles = ['tenant_admin']) => mountConsolePage(ProductsPage, datangStaff(roles))

resetBetweenTests()

describe('console: products (商品管理)', () => {
  it('lists products like the original screen, services without stock', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    const rows = [...byTestId('products-table').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows).toHaveLength(2)
    expect(rows[0].slice(0, 7)).toEqual(['1', '', '壳牌蓝喜力机油商品', '壳牌直供', '210.00', '100.00', '12'])
    expect(rows[1].slice(0, 7)).toEqual(['2', '无图', '精洗一次服务', '—', '80.00', '39.00', '—'])
    expect(rows[0][8]).toBe('修改删除')
    expect(allByTestId('product-thumb')[0].getAttribute('src')).toBe(oil.image_url)
    expect(new URL(fetchMock.mock.calls[0][0].url).search).toBe('?page=1&page_size=20')
  })

  it('searches by 名称 and 来源', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    await fill('products-name', '机油')
    await fill('products-source', '壳牌')
    byTestId('products-search').click()
    await flushPromises()
    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(Object.fromEntries(last.searchParams)).toEqual({ page: '1', page_size: '20', name: '机油', source: '壳牌' })
  })

  it("shows the server's field errors next to the fields of the dialog", async () => {
    let posted: Record<string, unknown> | null = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname === '/api/v1/products/' && req.method === 'POST') {
          posted = await req.clone().json()
          return json(400, {
            code: 'invalid',
            message: '请检查填写的内容',
            fields: { actual_price: ['实际价格不能高于市场价格'], stock: ['请填写合法的整数值。'] },
          })
        }
      }),
    )
    await mountPage()
    byTestId('product-new').click()
    await flushPromises()
    await fill('product-name', '米其林雨刮')
    await fill('product-market_price', '99')
    await fill('product-actual_price', '120')
    await fill('product-stock', 'ten')
    byTestId('product-save').click()
    await settle()
    expect(posted).toEqual({ name: '米其林雨刮', kind: 'goods', source: '', market_price: '99', actual_price: '120', stock: 'ten', on_shelf: true })
    expect(errorNextTo('product-actual_price')).toBe('实际价格不能高于市场价格')
    expect(errorNextTo('product-stock')).toBe('请填写合法的整数值。')
    expect(errorNextTo('product-name')).toBeUndefined()
    expect(byTestId('product-dialog').textContent).toContain('请检查填写的内容')
  })

  it('修改 shows the H5 image and uploads a new one after saving', async () => {
    const calls: string[] = []
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (req.method !== 'GET') calls.push(`${req.method} ${url.pathname}`)
        if (url.pathname === '/api/v1/products/3/' && req.method === 'PATCH') return json(200, { ...oil, ...(await req.clone().json()) })
        if (url.pathname === '/api/v1/products/3/image/') {
          expect(req.headers.get('Content-Type')).toMatch(/^multipart\/form-data/)
          return json(200, { ...oil, image_h5_url: '/media/tenants/datang/products/3-new-h5.jpg' })
        }
      }),
    )
    await mountPage()
    allByTestId('product-edit')[0].click()
    await flushPromises()
    expect(byTestId('product-image-preview').getAttribute('src')).toBe(oil.image_h5_url)
    const input = byTestId('product-image') as HTMLInputElement
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'oil.jpg', { type: 'image/jpeg' })
    Object.defineProperty(input, 'files', { value: [file], configurable: true })
    input.dispatchEvent(new Event('change'))
    await fill('product-actual_price', '95')
    byTestId('product-save').click()
    await settle()
    expect(calls).toEqual(['PATCH /api/v1/products/3/', 'POST /api/v1/products/3/image/'])
  })

  it('finance may look but not change', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage(['finance'])
    expect(allByTestId('product-new')).toHaveLength(0)
    expect(allByTestId('product-edit')).toHaveLength(0)
  })
})
