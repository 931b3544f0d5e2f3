import { describe, expect, it } from 'vitest'
import { oauthCodeFrom } from './wechatEntry'

describe('WeChat entry', () => {
  it('reads the code WeChat put before the hash', () => {
    expect(oauthCodeFrom('?code=081Code1&state=sxb', undefined)).toBe('081Code1')
  })

  it('falls back to the route query, and to nothing', () => {
    expect(oauthCodeFrom('', '081Code2')).toBe('081Code2')
    expect(oauthCodeFrom('?state=sxb', ['a'])).toBe('')
  })
})
