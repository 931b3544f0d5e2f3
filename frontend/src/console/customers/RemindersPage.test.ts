import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import RemindersPage from './RemindersPage.vue'
import { datangStaff, json, mountConsolePage, resetBetweenTests } from '../testing'

const renewal = {
  id: 31,
  kind: 'renewal',
  kind_label: '续保提醒',
  title: '粤B12345 交强险 2026-06-30 到期（还有 30 天）',
  customer: 11,
  customer_name: '张伟',
  customer_mobile: '13800138000',
  vehicle: 7,
  plate: '粤B12345',
  due_on: '2026-06-30',
  remind_on: '2026-05-31',
  lead_days: 30,
  status: 'open',
}

const mountPage = (roles: string[]) => mountConsolePage(RemindersPage, datangStaff(roles))

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)

resetBetweenTests()

describe('console: reminders (客户提醒)', () => {
  it('lists the open to-dos and marks one 已处理', async () => {
    let open = [renewal]
    const fetchMock = vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      if (url.pathname === '/api/v1/reminders/31/close/') {
        open = []
        return json(200, { ...renewal, ...(await req.clone().json()) })
      }
      return json(200, { count: open.length, next: null, previous: null, results: open })
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage(['tenant_admin'])
    const table = byTestId('reminders-table')!.textContent ?? ''
    expect(table).toContain('续保提醒')
    expect(table).toContain('粤B12345 交强险 2026-06-30 到期')
    expect(table).toContain('张伟')
    expect(new URL(fetchMock.mock.calls[0][0].url).searchParams.get('status')).toBe('open')

    byTestId('reminder-done')!.click()
    await flushPromises()
    const close = fetchMock.mock.calls.find(([req]) => req.method === 'POST')![0]
    expect(await close.clone().json()).toEqual({ status: 'done' })
    expect(byTestId('reminders-table')!.textContent).toContain('没有待办提醒')
  })

  it('finance sees the list without 已处理 / 忽略', async () => {
    vi.stubGlobal('fetch', async () => json(200, { count: 1, next: null, previous: null, results: [renewal] }))
    await mountPage(['finance'])
    expect(byTestId('reminders-table')!.textContent).toContain('张伟')
    expect(byTestId('reminder-done')).toBeNull()
    expect(byTestId('reminder-dismiss')).toBeNull()
  })
})
