import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, createApi, toApiError, tokenStore, unwrap } from './api'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

beforeEach(() => window.localStorage.clear())
afterEach(() => vi.unstubAllGlobals())

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

describe('api client', () => {
  it('sends the bearer token and turns a 400 answer into a typed error', async () => {
    const fetchMock = vi.fn(async (_req: Request) =>
      json(400, { code: 'invalid', message: '手机号格式不正确', fields: { mobile: ['请输入 11 位手机号'] } }),
    )
    vi.stubGlobal('fetch', fetchMock)
    const { client, tokens } = createApi('owner')
    tokens.set('tok-1')
    const call = unwrap(client.POST('/api/v1/auth/sms/send/', { body: { mobile: '123' } }))
    await expect(call).rejects.toMatchObject({ status: 400, code: 'invalid', message: '手机号格式不正确' })
    const sent = fetchMock.mock.calls[0][0]
    expect(new URL(sent.url).pathname).toBe('/api/v1/auth/sms/send/')
    expect(sent.headers.get('Authorization')).toBe('Bearer tok-1')
    const error = (await call.catch((e: unknown) => e)) as ApiError
    expect(error.fieldError('mobile')).toBe('请输入 11 位手机号')
  })

  it('returns the data of a successful call', async () => {
    vi.stubGlobal('fetch', async () => json(202, { sent: true, expires_in: 300 }))
    const { client } = createApi('owner')
    const data = await unwrap(client.POST('/api/v1/auth/sms/send/', { body: { mobile: '13800000001' } }))
    expect(data).toEqual({ sent: true, expires_in: 300 })
  })

  it('on 401 drops the token and sends the user to the login page', async () => {
    vi.stubGlobal('fetch', async () => json(401, { code: 'not_authenticated', message: '登录已失效', fields: {} }))
    const onUnauthorized = vi.fn()
    const { client, tokens } = createApi('agent', onUnauthorized)
    tokens.set('stale')
    await expect(unwrap(client.GET('/api/v1/me/'))).rejects.toMatchObject({ status: 401, message: '登录已失效' })
    expect(tokens.get()).toBeNull()
    expect(onUnauthorized).toHaveBeenCalledOnce()
  })

  it('on 401 renews the token once with the refresh token and sends the request again', async () => {
    const seen: { path: string; auth: string | null; body: string }[] = []
    let renewals = 0
    vi.stubGlobal('fetch', async (req: Request) => {
      const path = new URL(req.url).pathname
      seen.push({ path, auth: req.headers.get('Authorization'), body: await req.clone().text() })
      if (path === '/api/v1/auth/refresh/') {
        renewals += 1
        return json(200, { token: 'fresh', refresh: 'refresh-2', expires_in: 7200, user: {}, roles: ['agent'] })
      }
      return req.headers.get('Authorization') === 'Bearer fresh'
        ? json(201, { id: 9 })
        : json(401, { code: 'token_invalid', message: '登录已失效，请重新登录', fields: {} })
    })
    const onUnauthorized = vi.fn()
    const { client, tokens } = createApi('agent', onUnauthorized)
    tokens.set('expired', 'refresh-1')
    const [a, b] = await Promise.all([
      unwrap(client.POST('/api/v1/customers/' as never, { body: { name: '张三' } } as never)),
      unwrap(client.GET('/api/v1/me/')),
    ])
    expect(a).toEqual({ id: 9 })
    expect(b).toEqual({ id: 9 })
    expect(renewals).toBe(1) // one renewal for both: a refresh token works once
    expect(seen.filter((s) => s.path === '/api/v1/auth/refresh/')[0].body).toBe('{"refresh":"refresh-1"}')
    // the POST went again with its body and the new token
    const posts = seen.filter((s) => s.path === '/api/v1/customers/')
    expect(posts.map((p) => [p.auth, p.body])).toEqual([
      ['Bearer expired', '{"name":"张三"}'],
      ['Bearer fresh', '{"name":"张三"}'],
    ])
    expect([tokens.get(), tokens.getRefresh()]).toEqual(['fresh', 'refresh-2'])
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('when the renewal is refused, drops both tokens and sends the user to the login page', async () => {
    const paths: string[] = []
    vi.stubGlobal('fetch', async (req: Request) => {
      paths.push(new URL(req.url).pathname)
      return json(401, { code: 'refresh_reused', message: '登录凭证被重复使用', fields: {} })
    })
    const onUnauthorized = vi.fn()
    const { client, tokens } = createApi('console', onUnauthorized)
    tokens.set('expired', 'stolen')
    await expect(unwrap(client.GET('/api/v1/me/'))).rejects.toMatchObject({ status: 401 })
    expect(paths).toEqual(['/api/v1/me/', '/api/v1/auth/refresh/'])
    expect([tokens.get(), tokens.getRefresh()]).toEqual([null, null])
    expect(onUnauthorized).toHaveBeenCalledOnce()
  })

  it('turns a network failure into a readable error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const { client } = createApi('console')
    await expect(unwrap(client.GET('/api/v1/me/'))).rejects.toMatchObject({ status: 0, code: 'error' })
  })
})

describe('token storage', () => {
  it('keeps one token per app so the agent app and the console do not share a login', () => {
    const agent = tokenStore('agent', window.localStorage)
    const console_ = tokenStore('console', window.localStorage)
    agent.set('agent-token')
    expect(window.localStorage.getItem('sxb.token.agent')).toBe('agent-token')
    expect(agent.get()).toBe('agent-token')
    expect(console_.get()).toBeNull()
    agent.clear()
    expect(agent.get()).toBeNull()
  })
})
