import { describe, expect, it, vi } from 'vitest'
import { REALTIME_OPEN, appFromPath, parseMessage, subscribeRealtime } from './realtime'

class FakeSource {
  static last: FakeSource | null = null
  readyState = 0
  closed = false
  onopen: (() => void) | null = null
  onmessage: ((e: MessageEvent) => void) | null = null
  onerror: (() => void) | null = null
  constructor(public url: string) {
    FakeSource.last = this
  }
  close() {
    this.closed = true
  }
}

describe('realtime', () => {
  it('knows which app a page belongs to', () => {
    expect(appFromPath('/agent/customers')).toBe('agent')
    expect(appFromPath('/console/service-orders')).toBe('console')
    expect(appFromPath('/')).toBe('owner')
  })

  it('parses pushed messages and ignores anything else', () => {
    expect(parseMessage('{"event":"service_order.accepted","data":{"no":"S1"}}')).toEqual({
      event: 'service_order.accepted',
      data: { no: 'S1' },
    })
    expect(parseMessage('not json')).toBeNull()
    expect(parseMessage('{"data":1}')).toBeNull()
  })

  it('opens the ticketed stream with the app token, hands events over and closes on stop', async () => {
    window.localStorage.setItem('sxb.token.agent', 'tok-1')
    const fetch = vi.fn(async () => new Response(JSON.stringify({ url: '/api/v1/realtime/stream/?ticket=t1' })))
    const seen: [string, unknown][] = []
    const stop = subscribeRealtime((event, data) => seen.push([event, data]), 'agent', {
      fetch: fetch as unknown as typeof window.fetch,
      EventSource: FakeSource as unknown as typeof EventSource,
      setTimeout: (fn) => fn(),
    })
    await vi.waitFor(() => expect(FakeSource.last).not.toBeNull())
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok-1')
    const source = FakeSource.last!
    expect(source.url).toBe('/api/v1/realtime/stream/?ticket=t1')
    source.onopen?.()
    source.onmessage?.({ data: '{"event":"notice.new","data":{"unread":3}}' } as MessageEvent)
    expect(seen).toEqual([
      [REALTIME_OPEN, {}],
      ['notice.new', { unread: 3 }],
    ])
    stop()
    expect(source.closed).toBe(true)
  })

  it('shares one stream among the subscribers of a page and closes it with the last', async () => {
    window.localStorage.setItem('sxb.token.console', 'tok-2')
    FakeSource.last = null
    const fetch = vi.fn(async () => new Response(JSON.stringify({ url: '/api/v1/realtime/stream/?ticket=t2' })))
    const deps = {
      fetch: fetch as unknown as typeof window.fetch,
      EventSource: FakeSource as unknown as typeof EventSource,
      setTimeout: (fn: () => void) => fn(),
    }
    const badge: string[] = []
    const list: string[] = []
    const stopBadge = subscribeRealtime((event) => badge.push(event), 'console', deps)
    await vi.waitFor(() => expect(FakeSource.last).not.toBeNull())
    const source = FakeSource.last!
    source.onopen?.()
    const stopList = subscribeRealtime((event) => list.push(event), 'console', deps)
    source.onmessage?.({ data: '{"event":"service_order.accepted","data":{}}' } as MessageEvent)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(badge).toEqual([REALTIME_OPEN, 'service_order.accepted'])
    expect(list).toEqual([REALTIME_OPEN, 'service_order.accepted']) // told at once that it is open
    stopBadge()
    expect(source.closed).toBe(false)
    stopList()
    expect(source.closed).toBe(true)
  })
})
