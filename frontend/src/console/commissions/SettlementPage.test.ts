import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import SettlementPage from './SettlementPage.vue'
import { datangStaff, json, mountConsolePage, page, resetBetweenTests } from '../testing'

const run = (status: string, progress: number, step: string, statements = 0) => ({
  id: 9,
  status,
  status_label: { queued: '排队中', running: '结算中', done: '已完成', failed: '失败' }[status],
  progress,
  step,
  statements,
  error: '',
  created_at: '2026-12-01T01:00:00Z',
  finished_at: status === 'done' ? '2026-12-01T01:00:05Z' : null,
})
const november = (status: string, r: unknown) => ({
  id: 3, label: '2026-11', year: 2026, month: 11, status,
  status_label: { open: '未结算', closing: '结算中', closed: '已结算' }[status],
  entries: 12, total: '1873.40', closed_at: status === 'closed' ? '2026-12-01T01:00:05Z' : null, run: r,
}) // prettier-ignore
const december = { id: 4, label: '2026-12', year: 2026, month: 12, status: 'open', status_label: '未结算', entries: 0, total: '0.00', closed_at: null, run: null }

const manager = {
  id: 21, period: '2026-11', period_status: 'closed', distributor: 5, distributor_name: '钱经理', distributor_mobile: '13655570001',
  tier: '经理', settlement_mode: 'same_level', settlement_mode_label: '同级结算',
  totals: { commission: '37.40', volume_bonus: '20.00' }, earned: '57.40', receivable: '131.90', payable: '74.50',
  counterparties: [
    { distributor_id: null, name: '公司', receive: '131.90', pay: '0.00' },
    { distributor_id: 6, name: '孙专员', receive: '0.00', pay: '74.50' },
  ],
  status: 'open', status_label: '待支付', paid_at: null,
} // prettier-ignore
const seller = {
  ...manager, id: 22, distributor: 6, distributor_name: '孙专员', distributor_mobile: '13655570002', tier: '专员',
  totals: { commission: '74.80', adjustment: '-0.30' }, earned: '74.50', receivable: '74.50', payable: '0.00',
  counterparties: [{ distributor_id: 5, name: '钱经理', receive: '74.50', pay: '0.00' }],
} // prettier-ignore
const entry = {
  id: 101, period: '2026-11', kind: 'commission', kind_label: '佣金', state: 'confirmed', distributor: 5, distributor_name: '钱经理',
  source_type: 'policy', source_id: 41, source_number: 'PICCT0000000041', line: 'commercial', line_label: '商业险', insurer_code: 'PICC',
  level: 1, rule: '2026 标准方案：商业险 职级「经理」累计 15%', basis: '748.00', rate: '0.0500', amount: '37.40',
  formula: '商业险保费 748.00 × (15% − 10%) = 37.40', sale_at: '2026-11-12T02:00:00Z', reversal: false, reason: '', created_at: '2026-11-12T02:00:00Z',
} // prettier-ignore

const mountPage = () => mountConsolePage(SettlementPage, datangStaff(['finance'], '财务'))

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)
const rowsOf = (id: string) =>
  [...byTestId(id)!.querySelectorAll('.el-table__body tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()))
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

resetBetweenTests()

describe('console: 费用结算', () => {
  it('starts the month’s run, polls it with a progress bar until done, then shows the statements', { timeout: 30000 }, async () => {
    const done = run('done', 100, '完成', 2)
    const runs = [run('running', 60, '生成对账单'), done]
    let closed = false
    const calls: string[] = []
    const fetchMock = vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      calls.push(`${req.method} ${url.pathname}${url.search}`)
      if (url.pathname === '/api/v1/commissions/periods/') return json(200, [december, closed ? november('closed', done) : november('open', null)])
      if (url.pathname === '/api/v1/commissions/periods/3/close/') return json(202, run('queued', 0, ''))
      if (url.pathname === '/api/v1/commissions/periods/3/run/') {
        const r = runs.shift()!
        closed = r.status === 'done'
        return json(200, r)
      }
      if (url.pathname === '/api/v1/commissions/statements/') return json(200, page([seller, manager]))
      if (url.pathname === '/api/v1/commissions/statements/21/') return json(200, { ...manager, entries: [entry] })
      return json(404, { code: 'not_found', message: '未找到', fields: {} })
    })
    vi.stubGlobal('fetch', fetchMock)
    // 6 December 2026: November has ended, December has not (only the clock is faked; timers stay real)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(2026, 11, 6, 10, 0))
    await mountPage()

    const periods = rowsOf('periods-table')
    expect(periods[1].slice(0, 4)).toEqual(['2026-11', '未结算', '12', '¥1,873.40'])
    // 结算 is offered for November only: December has not ended yet
    const closeButtons = [...document.querySelectorAll<HTMLElement>('[data-testid="period-close"]')]
    expect(closeButtons).toHaveLength(1)
    expect(closeButtons[0].closest('tr')?.textContent).toContain('2026-11')
    closeButtons[0].click()
    await flushPromises()
    await wait(100)
    document.querySelector<HTMLElement>('.el-message-box__btns .el-button--primary')!.click()
    await flushPromises()
    await wait(100)
    expect(calls).toContain('POST /api/v1/commissions/periods/3/close/')
    expect(byTestId('run-progress')?.textContent).toContain('0%')
    expect(byTestId('statements-table')).toBeNull()

    await wait(1100)
    await flushPromises()
    expect(byTestId('run-progress')?.textContent).toContain('60%')
    expect(byTestId('run-progress')?.textContent).toContain('结算中：生成对账单')

    await wait(1100)
    await flushPromises()
    await wait(50)
    await flushPromises()
    expect(calls.filter((c) => c.startsWith('GET /api/v1/commissions/periods/3/run/'))).toHaveLength(2)
    expect(byTestId('run-progress')).toBeNull()
    expect(byTestId('run-done')?.textContent).toContain('2 份对账单')
    expect(calls).toContain('GET /api/v1/commissions/statements/?period=3&page=1&page_size=50')
    expect(byTestId('statements-title')?.textContent).toBe('2026-11 对账单')

    const rows = rowsOf('statements-table')
    expect(rows).toHaveLength(2)
    // 人员, 职级, 佣金, 活动, 促销, 通算, 调整, 本人所得, 应收, 应付, 对方, 状态
    expect(rows[1].slice(0, 11)).toEqual([
      '钱经理13655570001',
      '经理',
      '¥37.40',
      '—',
      '—',
      '¥20.00',
      '—',
      '¥57.40',
      '¥131.90',
      '¥74.50',
      '收 公司 ¥131.90付 孙专员 ¥74.50同级结算',
    ])
    expect(rows[0][6]).toBe('−¥0.30')
    expect(rows[1][11]).toBe('待支付')

    // 明细: every entry with the arithmetic behind it
    document.querySelectorAll<HTMLElement>('[data-testid="statement-view"]')[1].click()
    await flushPromises()
    await wait(50)
    expect(byTestId('statement-entries')?.textContent).toContain('商业险保费 748.00 × (15% − 10%) = 37.40')
    expect(byTestId('statement-entries')?.textContent).toContain('PICCT0000000041')
    expect(byTestId('statement-parties')?.textContent).toContain('孙专员')
  })

  it('shows a failed run with its error and lets the month be settled again', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url)
        if (url.pathname === '/api/v1/commissions/periods/')
          return json(200, [{ ...november('closing', { ...run('failed', 30, '通算奖励'), error: 'deadlock detected' }) }])
        return json(404, { code: 'not_found', message: '未找到', fields: {} })
      }),
    )
    await mountPage()
    expect(byTestId('run-error')?.textContent).toBe('结算失败：deadlock detected')
    expect(byTestId('period-close')?.textContent?.trim()).toBe('重新结算')
  })
})
