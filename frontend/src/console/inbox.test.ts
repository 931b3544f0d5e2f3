import { describe, expect, it } from 'vitest'
import { consoleRoute, replaceRead, shortTime } from './inbox'

describe('console inbox', () => {
  it('follows only console routes', () => {
    expect(consoleRoute('/service-orders')).toBe('/service-orders')
    expect(consoleRoute('/claims')).toBe('/claims')
    expect(consoleRoute('')).toBeNull()
    expect(consoleRoute(null)).toBeNull()
    expect(consoleRoute('//evil.example.com/x')).toBeNull()
    expect(consoleRoute('https://evil.example.com/')).toBeNull()
  })

  it('shows the time short', () => {
    expect(shortTime('2026-11-26T10:05:31.123+08:00')).toBe('11-26 10:05')
    expect(shortTime('garbage')).toBe('garbage')
  })

  it('replaces the row that was read and keeps the others', () => {
    const rows: Array<{ id: number; title: string; read_at: string | null }> = [
      { id: 1, title: '库存预警', read_at: null },
      { id: 2, title: '售后服务进度更新', read_at: null },
    ]
    const next = replaceRead(rows, { id: 2, title: '售后服务进度更新', read_at: '2026-11-26T10:06:00+08:00' })
    expect(next.map((r) => [r.id, r.read_at])).toEqual([
      [1, null],
      [2, '2026-11-26T10:06:00+08:00'],
    ])
  })
})
