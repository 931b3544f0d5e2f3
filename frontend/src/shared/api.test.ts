import { describe, expect, it } from 'vitest'
import { ApiError, toApiError, tokenStore } from './api'

describe('api errors', () => {
  it('keeps the server code, message and field errors', () => {
    const e = toApiError(400, {
      code: 'invalid',
      message: '租户信息有误',
      fields: { schema_name: ['模式名 datang 已被占用'], 'branding.primary_color': ['颜色应为 #RRGGBB 格式'] },
    })
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(400)
    expect(e.code).toBe('invalid')
    expect(e.message).toBe('租户信息有误')
    expect(e.fieldError('schema_name')).toBe('模式名 datang 已被占用')
    expect(e.fieldError('branding.primary_color')).toBe('颜色应为 #RRGGBB 格式')
    expect(e.fieldError('domain')).toBe('')
  })

  it('gives a readable message when the body is not the error shape', () => {
    expect(toApiError(502, '<html>bad gateway</html>').code).toBe('server_error')
    expect(toApiError(429, null).message).toBe('操作过于频繁，请稍后再试')
    expect(toApiError(0, null).message).toContain('网络异常')
  })
})

describe('token storage', () => {
  it('keeps one token per app so the agent app and the console do not share a login', () => {
    const agent = tokenStore('agent', window.localStorage)
    const console_ = tokenStore('console', window.localStorage)
    agent.set('agent-token')
    expect(agent.get()).toBe('agent-token')
    expect(console_.get()).toBeNull()
    agent.clear()
    expect(agent.get()).toBeNull()
  })
})
