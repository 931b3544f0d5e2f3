import type { RealtimeHandler } from '@shared/realtime'
import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { badgeText, createUnread, isNoticeEvent } from './unread'

describe('unread badge', () => {
  it('shows nothing at zero and caps at 99+', () => {
    expect(badgeText(0)).toBe('')
    expect(badgeText(7)).toBe('7')
    expect(badgeText(100)).toBe('99+')
  })

  it('only notice pushes count', () => {
    expect(isNoticeEvent('notices.announcement')).toBe(true)
    expect(isNoticeEvent('service_order.accepted')).toBe(false)
  })

  it('reloads the count when a notice is pushed, and ignores other pushes', async () => {
    let handler: RealtimeHandler = () => {}
    const stop = vi.fn()
    const counts = [0, 1, 2]
    const load = vi.fn(async () => counts.shift() ?? 9)
    const unread = createUnread(load, (fn) => {
      handler = fn
      return stop
    })
    const seen: string[] = []
    unread.onPush((event) => seen.push(event))
    unread.start()
    unread.start() // a second tab mount does not subscribe twice
    await flushPromises()
    expect(unread.total.value).toBe(0)

    handler('service_order.accepted', {})
    await flushPromises()
    expect(load).toHaveBeenCalledTimes(1)

    handler('notices.announcement', { id: 5, title: '年末冲刺奖励' })
    await flushPromises()
    expect(unread.total.value).toBe(1)
    expect(seen).toEqual(['notices.announcement'])

    unread.dispose()
    expect(stop).toHaveBeenCalledOnce()
  })

  it('counts again once the stream is open, so a notice committed before it is not missed', async () => {
    let handler: RealtimeHandler = () => {}
    const counts = [0, 1]
    const load = vi.fn(async () => counts.shift() ?? 9)
    const unread = createUnread(load, (fn) => {
      handler = fn
      return () => {}
    })
    const seen: string[] = []
    unread.onPush((event) => seen.push(event))
    unread.start()
    await flushPromises()
    expect(unread.total.value).toBe(0)

    // the low-stock alert was written between the first count and the stream opening
    handler('realtime.open', {})
    await flushPromises()
    expect(unread.total.value).toBe(1)
    expect(load).toHaveBeenCalledTimes(2)
    expect(seen).toEqual([]) // lists reload on notices, not on the stream opening
  })

  it('keeps the last count when loading fails', async () => {
    const load = vi.fn().mockResolvedValueOnce(3).mockRejectedValueOnce(new Error('网络异常'))
    const unread = createUnread(load, () => () => {})
    await unread.refresh()
    await unread.refresh()
    expect(unread.total.value).toBe(3)
  })

  it('keeps the unread 政策推送 apart from the total, for the 政策 tile', async () => {
    const load = vi.fn().mockResolvedValueOnce({ total: 5, announcements: 2 }).mockResolvedValueOnce({ total: 4, announcements: 1 })
    const unread = createUnread(load, () => () => {})
    await unread.refresh()
    expect([unread.total.value, unread.announcements.value]).toEqual([5, 2])
    await unread.refresh()
    expect([unread.total.value, unread.announcements.value]).toEqual([4, 1])
  })
})
