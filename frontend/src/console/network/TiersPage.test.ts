import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import TiersPage from './TiersPage.vue'
import { byTestId, FURUIKA_ADMIN, json, mountConsolePage, settle } from '../testing'

const ADMIN = { ...FURUIKA_ADMIN, roles: ['tenant_admin'] }
const tier = (id: number, name: string, rank: number) => ({ id, name, rank, description: '', distributor_count: 0 })
const inputOf = (id: string) => {
  const el = byTestId(id)
  return el instanceof HTMLInputElement ? el : el.querySelector('input')!
}
const rankInput = () => inputOf('tier-form-rank')

function type(input: HTMLInputElement, value: string) {
  input.focus()
  input.value = value
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
}

/** The tier list answers only when ``answer`` is called: a slow line. */
function slowTiers(existing: unknown[]) {
  let answer: () => void = () => {}
  const posted: Record<string, unknown>[] = []
  const fetchMock = vi.fn(async (req: Request) => {
    const url = new URL(req.url)
    if (url.pathname === '/api/v1/network/settings/') return json(200, { agent_signup_requires_approval: true })
    if (req.method === 'POST') {
      const body = await req.clone().json()
      posted.push(body)
      return json(201, tier(99, body.name, body.rank))
    }
    return new Promise<Response>((resolve) => {
      answer = () => resolve(json(200, existing))
    })
  })
  vi.stubGlobal('fetch', fetchMock)
  return { answer: () => answer(), posted }
}

beforeEach(() => {
  window.localStorage.clear()
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

describe('console: 分销层级 (tiers)', () => {
  it('keeps the rank the admin typed when the list arrives after it (CI once saved 团队长 at the bottom)', async () => {
    const line = slowTiers([tier(1, '售后页销售', 8), tier(2, '客户页销售', 9)])
    await mountConsolePage(TiersPage, ADMIN)
    type(rankInput(), '1')
    line.answer()
    await settle()
    expect(byTestId('tier-table').textContent).toContain('客户页销售')
    expect(rankInput().value).toBe('1')

    type(inputOf('tier-form-name'), '团队长')
    byTestId('tier-form-submit').click()
    await flushPromises()
    expect(line.posted).toEqual([{ name: '团队长', rank: 1, description: '' }])
  })

  it('suggests the next free rank when the admin has typed none', async () => {
    const line = slowTiers([tier(1, '售后页销售', 8), tier(2, '客户页销售', 9)])
    await mountConsolePage(TiersPage, ADMIN)
    line.answer()
    await settle()
    expect(rankInput().value).toBe('10')
  })
})
