import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import GiftPacksPage from './GiftPacksPage.vue'
import { allByTestId, byTestId, datangStaff, DateStub, fakeApi, fill, json, mountConsolePage, page, resetBetweenTests } from '../testing'

const product = (id: number, name: string, market_price: string, actual_price: string) => ({
  id, name, kind: 'goods', kind_label: '商品', source: '', market_price, actual_price, stock: 50, on_shelf: true, archived: false,
  image_url: '', image_h5_url: '', created_at: '2026-11-20T10:00:00+08:00',
}) // prettier-ignore
const oil = product(3, '壳牌蓝喜力机油', '210.00', '100.00')
const tea = product(5, '奶茶', '18.00', '9.00')

const pack = {
  id: 7, name: '爱车大礼包', market_value: '210.00', actual_value: '100.00', market_value_override: null, actual_value_override: null,
  contents: '壳牌蓝喜力机油*1', items: [{ product: 3, product_name: '壳牌蓝喜力机油', quantity: 1 }], expires_on: '2027-04-27',
  redeem_mode: 'whole', active: true, status: 'active', issued_count: 64, redeemed_count: 3,
} // prettier-ignore
const expired = { ...pack, id: 8, name: '配件大礼包', status: 'expired', expires_on: '2026-09-30', issued_count: 49, redeemed_count: 1 }


const fakeServer = fakeApi((_req, url) => {
  if (url.pathname === '/api/v1/gift-packs/') return json(200, [pack, expired])
  if (url.pathname === '/api/v1/products/') return json(200, page([oil, tea]))
})

const mountPage = (roles = ['tenant_admin']) => mountConsolePage(GiftPacksPage, datangStaff(roles), { ElDatePicker: DateStub })

resetBetweenTests()

describe('console: gift packs (礼包管理)', () => {
  it('lists packs like the original screen: values, contents, expiry, counts, state', async () => {
    const fetchMock = fakeServer()
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    const rows = [...byTestId('packs-table').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows[0].slice(0, 9)).toEqual(['1', '爱车大礼包', '210.00', '100.00', '壳牌蓝喜力机油*1', '2027-04-27', '3', '64', '有效'])
    expect(rows[1][8]).toBe('已过期')
    expect(rows[0][9]).toBe('查看编辑发放随单赠送')
  })

  it('编辑: saves the contents and shows the values the server derived from them', async () => {
    let put: Record<string, unknown> | null = null
    const fetchMock = fakeServer(async (req, url) => {
      if (url.pathname === '/api/v1/gift-packs/7/' && req.method === 'PUT') {
        put = await req.clone().json()
        return json(200, {
          ...pack,
          name: '爱车大礼包2',
          market_value: '246.00',
          actual_value: '118.00',
          contents: '壳牌蓝喜力机油*1, 奶茶*2',
          items: [
            { product: 3, product_name: '壳牌蓝喜力机油', quantity: 1 },
            { product: 5, product_name: '奶茶', quantity: 2 },
          ],
        })
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    byTestId('packs-table').querySelector<HTMLElement>('.el-table__body [data-testid="pack-edit"]')!.click()
    await flushPromises()
    expect((byTestId('pack-name') as HTMLInputElement).value).toBe('爱车大礼包')
    expect(byTestId('pack-sums').textContent).toContain('市场价值 ¥210.00，实际价值 ¥100.00')
    await fill('pack-name', '爱车大礼包2')
    byTestId('pack-save').click()
    await flushPromises()

    expect(put).toEqual({
      name: '爱车大礼包2',
      items: [{ product: 3, quantity: 1 }],
      market_value_override: null,
      actual_value_override: null,
      expires_on: '2027-04-27',
      redeem_mode: 'whole',
      active: true,
    })
    expect(byTestId('pack-derived-market').textContent).toBe('¥246.00')
    expect(byTestId('pack-derived-actual').textContent).toBe('¥118.00')
    expect(byTestId('pack-derived-contents').textContent).toBe('礼包内容：壳牌蓝喜力机油*1, 奶茶*2')
    expect(allByTestId('pack-item')).toHaveLength(2)
    // the list is asked again, so its counts and values are the server's
    expect(fetchMock.mock.calls.filter(([r]) => new URL(r.url).pathname === '/api/v1/gift-packs/' && r.method === 'GET')).toHaveLength(2)
  })

  it("shows a content row's error on that row", async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer((req, url) => {
        if (url.pathname === '/api/v1/gift-packs/' && req.method === 'POST')
          return json(400, { code: 'invalid', message: '请检查填写的内容', fields: { 'items.0.product': ['商品不存在'], expires_on: ['请填写过期时间'] } })
      }),
    )
    await mountPage()
    byTestId('pack-new').click()
    await flushPromises()
    await fill('pack-name', '新礼包')
    byTestId('pack-save').click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 150))
    expect(byTestId('pack-item-error').textContent).toBe('商品不存在')
    expect(byTestId('pack-dialog').textContent).toContain('请填写过期时间')
  })
})

describe('console: a gift pack’s 发放记录', () => {
  it('a 券码 typed on page 3 searches from page 1 (page 3 of the filtered list would be empty)', async () => {
    const asked: string[] = []
    const fetchMock = fakeServer((_req, url) => {
      if (url.pathname === '/api/v1/gift-packs/issued/') {
        asked.push(`${url.searchParams.get('page')}:${url.searchParams.get('code') ?? ''}`)
        return json(200, { count: url.searchParams.get('code') ? 1 : 64, next: null, previous: null, results: [] })
      }
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    allByTestId('pack-view')[0].click()
    await flushPromises()
    const pager = document.querySelector('[data-testid="pack-drawer"] .el-pager, .el-drawer .el-pager') as HTMLElement
    ;[...pager.querySelectorAll('li')].find((li) => li.textContent?.trim() === '3')!.click()
    await flushPromises()
    await fill('pack-issued-code', 'GP-7-000042')
    await fill('pack-issued-code', 'GP-7-000042', 'change')
    expect(asked).toEqual(['1:', '3:', '1:GP-7-000042'])
  })
})
