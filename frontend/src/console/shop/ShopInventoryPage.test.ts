import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from '../context'
import ShopInventoryPage from './ShopInventoryPage.vue'
import { allByTestId, byTestId, json, resetBetweenTests } from '../testing'

const part = (id: number, code: string, name: string, stock: string, reorder_level: string) => ({
  id, code, name, unit: 'L', unit_cost: '38.00', sale_price: '68.00', stock, reorder_level, active: true,
  low_stock: Number(stock) <= Number(reorder_level),
}) // prettier-ignore
const oil = part(1, 'OIL-5W30', '机油 5W-30', '2.00', '4.00')
const filter = part(2, 'FLT-01', '机滤', '9.00', '2.00')

async function mountPage() {
  const { router, session, brand } = createShell('console', [{ path: '/', name: 'inv', component: ShopInventoryPage }], createMemoryHistory())
  session.me.value = { id: 2, mobile: '13655599001', name: '门店小王', roles: ['shop_staff'], scope: { kind: 'public', schema_name: null, name: '速信保' } }
  mount(ShopInventoryPage, {
    attachTo: document.body,
    global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
  })
  await flushPromises()
}

const type = async (id: string, value: string) => {
  const input = byTestId(id).querySelector('input') ?? (byTestId(id) as HTMLInputElement)
  input.value = value
  input.dispatchEvent(new Event('input'))
  await flushPromises()
}

resetBetweenTests()

describe('shop console: 库存管理', () => {
  it('counts low-stock parts on the badge and asks for an override reason when an adjustment would go below zero', async () => {
    const bodies: unknown[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url)
        if (url.pathname === '/api/v1/shop/parts/') return json(200, [filter, oil])
        if (url.pathname === '/api/v1/shop/parts/1/adjust/') {
          const body = await req.json()
          bodies.push(body)
          if (!body.override_reason)
            return json(409, { code: 'stock_insufficient', message: '机油 5W-30 库存不足：调整 -5，现有 2', fields: { quantity: ['机油 5W-30 库存不足：现有 2'] } })
          return json(201, { id: 9, part: 1, kind: 'adjustment', quantity: '-5.00', stock_after: '-3.00', override_reason: body.override_reason })
        }
        return json(404, { code: 'not_found', message: '未找到', fields: {} })
      }),
    )
    await mountPage()
    expect(byTestId('low-stock-badge').textContent).toContain('1')
    expect(allByTestId('part-stock').map((e) => e.textContent)).toEqual(['9', '2'])
    byTestId('low-stock-toggle').click()
    await flushPromises()
    expect(allByTestId('part-stock').map((e) => e.textContent)).toEqual(['2'])

    allByTestId('part-adjust')[0].click()
    await flushPromises()
    await type('move-quantity', '-5')
    await type('move-reason', '报损')
    byTestId('move-save').click()
    await flushPromises()
    expect(document.body.textContent).toContain('机油 5W-30 库存不足：调整 -5，现有 2')
    await type('move-override-reason', '账实不符待查')
    byTestId('move-save').click()
    await flushPromises()
    expect(bodies).toEqual([
      { quantity: '-5', reason: '报损', override_reason: '' },
      { quantity: '-5', reason: '报损', override_reason: '账实不符待查' },
    ])
  })
})
