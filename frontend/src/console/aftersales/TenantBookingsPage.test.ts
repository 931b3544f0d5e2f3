import type { VueWrapper } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import TenantBookingsPage from './TenantBookingsPage.vue'
import { byTestId, DateRangeStub, FURUIKA_ADMIN, json, mountConsolePage, resetBetweenTests, settle } from '../testing'

const booking = (over: Record<string, unknown> = {}) => ({
  id: 7, shop: 3, shop_name: '福瑞卡岳麓店', shop_address: '长沙市岳麓区麓山南路 88 号', service: '保养', slot_start: '2026-11-27T01:00:00Z',
  state: 'booked', state_label: '已预约', customer_id: 11, vehicle_id: 21, customer_name: '赵车主', mobile: '13900001021', plate: '湘A12345',
  note: '顺便看下刹车', created_at: '2026-11-26T02:00:00Z', ...over,
}) // prettier-ignore
const shops = [
  { id: 3, name: '福瑞卡岳麓店' },
  { id: 4, name: '福瑞卡星沙店' },
]

let wrapper: VueWrapper | null = null
resetBetweenTests(() => {
  wrapper?.unmount()
  wrapper = null
})

describe('console: 保养预约 (tenant admin)', { timeout: 30000 }, () => {
  it('lists the tenant’s bookings and narrows them by state, shop and slot day', async () => {
    const fetchMock = vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      if (url.pathname === '/api/v1/bookings/') {
        const cancelled = booking({ id: 8, state: 'cancelled', state_label: '已取消', customer_name: '钱女士', plate: '湘A54321', note: '' })
        return json(200, url.searchParams.get('state') === 'cancelled' ? [cancelled] : [booking(), cancelled])
      }
      if (url.pathname === '/api/v1/service-shops/') return json(200, shops)
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    vi.stubGlobal('fetch', fetchMock)
    wrapper = await mountConsolePage(TenantBookingsPage, FURUIKA_ADMIN, { ElDatePicker: DateRangeStub })

    const rows = [...byTestId('tb-table').querySelectorAll('.el-table__body tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows).toHaveLength(2)
    const slot = new Date('2026-11-27T01:00:00Z')
    const local = `2026-11-${String(slot.getDate()).padStart(2, '0')} ${String(slot.getHours()).padStart(2, '0')}:00`
    expect(rows[0]).toEqual([local, '福瑞卡岳麓店长沙市岳麓区麓山南路 88 号', '赵车主13900001021', '湘A12345', '保养', '已预约', '顺便看下刹车', expect.any(String)])
    expect(rows[1].slice(2, 7)).toEqual(['钱女士13900001021', '湘A54321', '保养', '已取消', '—'])
    expect(byTestId('tb-total').textContent?.trim()).toBe('共 2 条')

    const options = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')]
    options.find((o) => o.textContent?.trim() === '已取消')!.click()
    await settle()
    options.find((o) => o.textContent?.trim() === '福瑞卡星沙店')!.click()
    await settle()
    const dates = byTestId('tb-dates') as HTMLInputElement
    dates.value = '2026-11-27~2026-11-30'
    dates.dispatchEvent(new Event('change'))
    await settle()
    const last = new URL(fetchMock.mock.calls.at(-1)![0].url)
    expect(Object.fromEntries(last.searchParams)).toEqual({ state: 'cancelled', shop: '4', date_from: '2026-11-27', date_to: '2026-11-30' })
    expect(byTestId('tb-total').textContent?.trim()).toBe('共 1 条')

    byTestId('tb-reset').click()
    await settle()
    expect(new URL(fetchMock.mock.calls.at(-1)![0].url).search).toBe('')
  })
})
