import { describe, expect, it } from 'vitest'
import { bindReturnUrl, oauthCodeFrom, oauthStateFrom, withoutOAuthCode } from './wechatEntry'

describe('WeChat entry', () => {
  it('reads the code WeChat put before the hash', () => {
    expect(oauthCodeFrom('?code=081Code1&state=sxb', undefined)).toBe('081Code1')
  })

  it('falls back to the route query, and to nothing', () => {
    expect(oauthCodeFrom('', '081Code2')).toBe('081Code2')
    expect(oauthCodeFrom('?state=sxb', ['a'])).toBe('')
  })

  it('reads the state WeChat brought back, for the server to check against this browser', () => {
    expect(oauthStateFrom('?code=081Code1&state=Zm9v-bar_9', undefined)).toBe('Zm9v-bar_9')
    expect(oauthStateFrom('', 'fromRoute')).toBe('fromRoute')
    expect(oauthStateFrom('?code=1', ['a'])).toBe('')
  })

  it('brings the agent back to the message settings after binding', () => {
    expect(bindReturnUrl('http://datang.localhost', '/agent/')).toBe('http://datang.localhost/agent/#/messages/settings')
  })

  it('drops the single-use code and state from the address, keeping the rest', () => {
    expect(withoutOAuthCode('/agent/', '?code=081Code1&state=sxb', '#/messages/settings')).toBe('/agent/#/messages/settings')
    expect(withoutOAuthCode('/agent/', '?from=menu&code=081Code1', '#/messages/settings')).toBe(
      '/agent/?from=menu#/messages/settings',
    )
  })
})
