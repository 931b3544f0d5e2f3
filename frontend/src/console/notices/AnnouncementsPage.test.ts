import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RealtimeHandler } from '@shared/realtime'
import AnnouncementsPage from './AnnouncementsPage.vue'
import { allByTestId, byTestId, json, mountConsolePage, page } from '../testing'

const pushed: { handler: RealtimeHandler | null } = { handler: null }
vi.mock('@shared/realtime', async (original) => ({
  ...(await original<typeof import('@shared/realtime')>()),
  subscribeRealtime: (fn: RealtimeHandler) => {
    pushed.handler = fn
    return () => (pushed.handler = null)
  },
}))

const announcement = (read: number) => ({
  id: 5, title: '平安车险手续费调整', body_html: '<p>x</p>', effective_from: '2026-12-01', effective_until: null, audience: 'all',
  audience_label: '全部代理人', source: 'tenant', source_label: '本机构', insurer_name: '', recipients: 3, read_count: read,
  unread_count: 3 - read, attachments: [], created_by_name: '何福瑞', created_at: '2026-12-01T09:00:00+08:00',
}) // prettier-ignore
const receipt = (name: string, readAt: string | null) => ({ id: name.length, user: 1, name, mobile: '13655570002', read_at: readAt })

beforeEach(() => {
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

describe('console: 政策推送 read receipts', () => {
  it('follow a reading at once: the counts and the open 阅读回执 update on the push, without a reload', async () => {
    let readers: ReturnType<typeof receipt>[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url)
        if (url.pathname === '/api/v1/notices/announcements/') return json(200, page([announcement(readers.length)]))
        if (url.pathname === '/api/v1/notices/announcements/5/receipts/') return json(200, page(readers))
        return json(404, { code: 'not_found', message: '未找到', fields: {} })
      }),
    )
    await mountConsolePage(AnnouncementsPage)
    expect(byTestId('announcement-reads').textContent).toBe('0 / 3 已读')
    byTestId('announcement-receipts').click()
    await flushPromises()
    expect(byTestId('receipt-summary').textContent).toContain('已读 0，未读 3')

    readers = [receipt('王海峰', '2026-12-01T10:15:00+08:00')]
    pushed.handler!('notices.receipt', { announcement: 5 })
    await flushPromises()
    expect(byTestId('announcement-reads').textContent).toBe('1 / 3 已读')
    expect(byTestId('receipt-summary').textContent).toContain('已读 1，未读 2')
    expect(allByTestId('receipt-table')[0].textContent).toContain('王海峰')
    expect(allByTestId('receipt-table')[0].textContent).toContain('2026-12-01 10:15')
  })
})
