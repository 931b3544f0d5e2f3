import { describe, expect, it } from 'vitest'
import { limitText, newRequestId, otherPlans, signupSettled, signupStepIndex, trialDaysLeft, usageLine, yuan } from './subscriptionView'

const plan = (code: string, is_active = true) => ({
  id: 1, code, name: code, price_monthly: '299.00', currency: 'cny', max_agents: 10, max_customers: 500,
  max_storage_mb: 1024, trial_days: 14, is_active,
})

describe('signup progress', () => {
  it('maps the job status onto the three steps', () => {
    expect(signupStepIndex('queued')).toEqual({ active: 0, failed: false })
    expect(signupStepIndex('provisioning')).toEqual({ active: 1, failed: false })
    expect(signupStepIndex('failed')).toEqual({ active: 1, failed: true })
    expect(signupStepIndex('ready')).toEqual({ active: 3, failed: false })
    expect([signupSettled('queued'), signupSettled('provisioning'), signupSettled('ready'), signupSettled('failed')])
      .toEqual([false, false, true, true])
  })
})

describe('usage against limits', () => {
  it('shows used / limit, the share, and when it is full; 0 is unlimited', () => {
    expect(usageLine(4, 10)).toEqual({ text: '4 / 10', percent: 40, full: false })
    expect(usageLine(10, 10)).toEqual({ text: '10 / 10', percent: 100, full: true })
    expect(usageLine(12, 10)).toEqual({ text: '12 / 10', percent: 100, full: true })
    expect(usageLine(37, 0)).toEqual({ text: '37 / 不限', percent: 0, full: false })
    expect([limitText(0), limitText(1024, ' MB')]).toEqual(['不限', '1024 MB'])
  })

  it('formats money and trial days', () => {
    expect(yuan('2999.00')).toBe('¥2,999.00')
    expect(trialDaysLeft('2026-01-15T00:00:00Z', new Date('2026-01-01T12:00:00Z'))).toBe(14)
    expect(trialDaysLeft('2026-01-01T00:00:00Z', new Date('2026-01-03T00:00:00Z'))).toBe(0)
    expect(trialDaysLeft(null)).toBeNull()
  })

  it('offers the other active plans', () => {
    const plans = [plan('basic'), plan('pro'), plan('old', false)]
    expect(otherPlans(plans, plans[0]).map((p) => p.code)).toEqual(['pro'])
  })
})

describe('request id', () => {
  it('is a v4 UUID even without crypto.randomUUID', () => {
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    expect(newRequestId()).toMatch(v4)
    const original = crypto.randomUUID
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true })
    try {
      const ids = new Set(Array.from({ length: 50 }, () => newRequestId()))
      expect(ids.size).toBe(50)
      for (const id of ids) expect(id).toMatch(v4)
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: original, configurable: true })
    }
  })
})
