import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import CommissionPlansPage from './CommissionPlansPage.vue'
import { allByTestId, byTestId, datangStaff, fakeApi, json, mountConsolePage, resetBetweenTests, settle } from '../testing'

const plan = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  scheme: 'differential',
  scheme_label: '级差',
  settlement_mode: 'same_level',
  settlement_mode_label: '同级结算',
  promotion_bearer: 'tenant',
  promotion_bearer_label: '公司承担',
  in_force: false,
  status: 'active',
  rule_count: 1,
  used: false,
  created_at: '2016-11-04T02:00:00Z',
  created_by_name: '深圳-平台管理员',
  updated_at: '2016-11-04T02:00:00Z',
  ...extra,
})
const tt2 = plan(1, 'tt2', { in_force: true, rule_count: 5, used: true })
const tt333 = plan(2, 'TT333', { rule_count: 3, scheme: 'per_level', scheme_label: '逐级分成', settlement_mode: 'cross_level', settlement_mode_label: '跨级结算' })
const old = plan(3, '2025 旧方案', { status: 'archived', used: true })
const tiers = [
  { id: 7, name: '总监', rank: 11, description: '', distributor_count: 1, created_at: '2026-01-01T00:00:00Z' },
  { id: 8, name: '经理', rank: 12, description: '', distributor_count: 3, created_at: '2026-01-01T00:00:00Z' },
]

const fakeServer = fakeApi((req, url) => {
  if (url.pathname === '/api/v1/commissions/plans/' && req.method === 'GET') return json(200, [tt2, tt333, old])
  if (url.pathname === '/api/v1/network/tiers/') return json(200, tiers)
  if (url.pathname === '/api/v1/insurers/') return json(200, [])
})

const mountPage = (roles = ['finance']) => mountConsolePage(CommissionPlansPage, datangStaff(roles, '财务'), { ElDatePicker: { template: '<input />' } })

const rowsOf = (id: string) =>
  [...byTestId(id).querySelectorAll('.el-table__body tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()))

async function type(el: HTMLElement, value: string) {
  const input = (el.matches('input, textarea') ? el : el.querySelector('input, textarea')) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

resetBetweenTests()

describe('console: 返利分成方案', () => {
  it('lists plans like the original screen: name, scheme, mode, 项目数, created at/by, status and actions', async () => {
    vi.stubGlobal('fetch', fakeServer())
    await mountPage()
    const rows = rowsOf('plans-table')
    expect(rows).toHaveLength(3)
    expect(rows[0].slice(0, 4)).toEqual(['1', 'tt2', '级差', '同级结算'])
    expect(rows[0][4]).toBe('5') // 项目数
    expect(rows[0][5]).toMatch(/^2016-11-04 \d\d:00:00$/)
    expect(rows[0].slice(6, 8)).toEqual(['深圳-平台管理员', '启用中'])
    expect(rows[1].slice(1, 5)).toEqual(['TT333', '逐级分成', '跨级结算', '3'])
    expect(rows[1][7]).toBe('未启用')
    expect(rows[2][7]).toBe('已归档')
    // a plan that paid commission cannot be edited; an archived one keeps its rows but has nothing to do
    expect(allByTestId('plan-edit')).toHaveLength(1)
    expect(allByTestId('plan-in-force')).toHaveLength(1)
    expect(allByTestId('plan-delete')).toHaveLength(2)
    expect(byTestId('plans-total').textContent).toBe('共3条记录')
  })

  it("sends rates as fractions and puts the server's rules.1.rate error on the second rule row", { timeout: 30000 }, async () => {
    let sent: Record<string, unknown> | null = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname === '/api/v1/commissions/plans/' && req.method === 'POST') {
          sent = await req.clone().json()
          return json(400, {
            code: 'invalid',
            message: '请检查填写的内容',
            fields: { 'rules.1.rate': ['交强险整条链分成合计 5%，超过保费的 4%（交强险手续费上限）'] },
          })
        }
      }),
    )
    await mountPage()
    byTestId('plan-new').click()
    await flushPromises()
    await type(byTestId('plan-name'), '2026 标准方案')
    byTestId('rule-add').click()
    await flushPromises()
    const rates = allByTestId('rule-rate')
    expect(rates).toHaveLength(2)
    await type(rates[0], '3')
    await type(rates[1], '5')
    byTestId('plan-save').click()
    await settle()

    expect(sent).toMatchObject({ name: '2026 标准方案', scheme: 'differential', settlement_mode: 'same_level', volume_tiers: [] })
    const rules = (sent as unknown as { rules: Record<string, unknown>[] }).rules
    expect(rules).toHaveLength(2)
    expect(rules[0]).toMatchObject({ line: 'commercial', rate_kind: 'percent', rate: '0.0300', distance: null, amount: null, cap: null })
    expect(rules[1]).toMatchObject({ rate: '0.0500' })

    const rows = [...byTestId('plan-rules').querySelectorAll('.el-table__body tr')]
    expect(rows).toHaveLength(2)
    expect(rows[0].querySelector('[data-testid="rule-error"]')).toBeNull()
    expect(rows[1].querySelector('[data-testid="rule-error"]')?.textContent?.trim()).toBe('交强险整条链分成合计 5%，超过保费的 4%（交强险手续费上限）')
    expect(rows[1].classList.contains('invalid-row')).toBe(true)
    expect(byTestId('plan-error').textContent).toContain('请检查填写的内容')
  })

  it('edits a plan with fixed promotion shares, a 推荐车主 rule and a 通算 tier on chosen lines and insurers, and shows the 4% error on the tier', { timeout: 30000 }, async () => {
    const detail = {
      ...tt333,
      scheme: 'differential',
      scheme_label: '级差',
      promotion_bearer: 'shares',
      promotion_bearer_label: '按固定比例逐级分担',
      promotion_shares: ['50.00', '30.00', '20.00'],
      rules: [
        { id: 1, line: 'commercial', insurer: null, tier: 8, distance: null, referrer: false, rate_kind: 'percent', rate: '0.1000', amount: '0.00', cap: null, valid_from: null, valid_to: null },
        { id: 2, line: 'goods', insurer: null, tier: null, distance: null, referrer: true, rate_kind: 'percent', rate: '0.0300', amount: '0.00', cap: null, valid_from: null, valid_to: null },
      ],
      volume_tiers: [{ lines: ['commercial', 'ctpl'], insurer_codes: ['PICC'], threshold: '2000.00', rate: '0.0100' }],
    }
    let sent: Record<string, unknown> | null = null
    vi.stubGlobal(
      'fetch',
      fakeServer(async (req, url) => {
        if (url.pathname === '/api/v1/commissions/plans/2/' && req.method === 'GET') return json(200, detail)
        if (url.pathname === '/api/v1/commissions/plans/2/' && req.method === 'PUT') {
          sent = await req.clone().json()
          return json(400, {
            code: 'invalid',
            message: '输入有误，请检查标出的字段',
            fields: {
              'volume_tiers.0.rate': ['交强险整条链合计 方案 4% + 通算奖励 1% = 5%，超过保费的 4%（交强险手续费上限）'],
              promotion_shares: ['各级分担比例合计应为 100%，现为 90%'],
            },
          })
        }
      }),
    )
    await mountPage()
    allByTestId('plan-edit')[0].click()
    await settle()
    // the shares as typed, level by level, and their total
    expect(allByTestId('plan-share')).toHaveLength(3)
    expect(byTestId('plan-shares-total').textContent).toContain('合计 100%')
    byTestId('plan-save').click()
    await settle()

    expect(sent).toMatchObject({
      promotion_bearer: 'shares',
      promotion_shares: ['50.00', '30.00', '20.00'],
      volume_tiers: [{ lines: ['commercial', 'ctpl'], insurer_codes: ['PICC'], threshold: '2000.00', rate: '0.0100' }],
    })
    const rules = (sent as unknown as { rules: Record<string, unknown>[] }).rules
    expect(rules[0]).toMatchObject({ tier: 8, referrer: false, rate: '0.1000' })
    expect(rules[1]).toMatchObject({ line: 'goods', tier: null, referrer: true, rate: '0.0300' })

    const tierRows = [...byTestId('plan-volume').querySelectorAll('.el-table__body tr')]
    expect(tierRows[0].querySelector('[data-testid="volume-error"]')?.textContent?.trim()).toBe(
      '交强险整条链合计 方案 4% + 通算奖励 1% = 5%，超过保费的 4%（交强险手续费上限）',
    )
    expect(byTestId('plan-shares').textContent).toContain('各级分担比例合计应为 100%，现为 90%')
  })

  it('says so when deleting a plan that paid commission archives it', async () => {
    const fetchMock = fakeServer((req, url) => {
      if (url.pathname === '/api/v1/commissions/plans/1/' && req.method === 'DELETE') return json(200, { outcome: 'archived' })
    })
    vi.stubGlobal('fetch', fetchMock)
    await mountPage()
    allByTestId('plan-delete')[0].click()
    await settle()
    expect(document.querySelector('.el-message-box')?.textContent).toContain('已产生佣金')
    document.querySelector<HTMLElement>('.el-message-box__btns .el-button--primary')!.click()
    await settle()
    expect(fetchMock.mock.calls.some(([r]) => r.method === 'DELETE' && new URL(r.url).pathname === '/api/v1/commissions/plans/1/')).toBe(true)
    expect(document.querySelector('.el-message')?.textContent).toContain('已产生佣金，已归档')
  })
})
