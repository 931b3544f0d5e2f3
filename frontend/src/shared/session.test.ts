import { describe, expect, it } from 'vitest'
import { mayUse, roleRefusal } from './session'

describe('role guard', () => {
  it('lets each role into its own app only', () => {
    expect(mayUse('agent', 'tenant', ['agent'])).toBe(true)
    expect(mayUse('agent', 'tenant', ['owner'])).toBe(false)
    expect(mayUse('owner', 'tenant', ['owner', 'agent'])).toBe(true)
    expect(mayUse('console', 'tenant', ['finance'])).toBe(true)
    expect(mayUse('console', 'tenant', ['agent'])).toBe(false)
    expect(mayUse('console', 'public', ['platform_admin'])).toBe(true)
    expect(mayUse('console', 'public', ['tenant_admin'])).toBe(false)
  })

  it('says why a login is refused', () => {
    expect(roleRefusal('agent', 'tenant')).toBe('该账号不是本租户的代理人')
    expect(roleRefusal('console', 'public')).toBe('该账号不是平台账号')
  })
})
