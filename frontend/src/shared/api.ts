import createClient from 'openapi-fetch'
import type { components, paths } from './api-types'
import { ErrorCode } from './errorCodes'

export type Schemas = components['schemas']
export type AppName = 'owner' | 'agent' | 'console'

/** A failure's code: the server's (generated from its ErrorCode enum), or one the client makes up
 * itself: `error` when there was no answer in the error shape (network down, not JSON), `timeout`
 * when the client gave up waiting (src/shared/ocr.ts). */
export type ClientErrorCode = 'error' | 'timeout'
export type ApiErrorCode = ErrorCode | ClientErrorCode

/** Every failed call becomes one of these: the server's {code, message, fields}. */
export class ApiError extends Error {
  readonly status: number
  readonly code: ApiErrorCode
  readonly fields: Record<string, string[]>

  constructor(status: number, code: ApiErrorCode, message: string, fields: Record<string, string[]> = {}) {
    super(message)
    this.status = status
    this.code = code
    this.fields = fields
  }

  /** The first message for a field, for showing next to it in a form. */
  fieldError(name: string): string {
    return this.fields[name]?.[0] ?? ''
  }
}

const FALLBACK: Record<number, string> = {
  0: '网络异常，请检查网络后重试',
  401: '请先登录',
  403: '无权执行此操作',
  404: '未找到',
  429: '操作过于频繁，请稍后再试',
}

export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
    const b = body as { code: unknown; message: unknown; fields?: unknown }
    const fields: Record<string, string[]> = {}
    if (b.fields && typeof b.fields === 'object') {
      for (const [k, v] of Object.entries(b.fields as Record<string, unknown>)) {
        fields[k] = Array.isArray(v) ? v.map(String) : [String(v)]
      }
    }
    return new ApiError(status, String(b.code) as ErrorCode, String(b.message), fields)
  }
  return new ApiError(status, status >= 500 ? ErrorCode.server_error : 'error', FALLBACK[status] ?? `请求失败（${status}）`)
}

/** Tokens are bound to the host that issued them; each app keeps its own: a short-lived access
 * token and the refresh token that renews it (each refresh token works once). */
export function tokenStore(app: AppName, storage: Storage = window.localStorage) {
  const key = `sxb.token.${app}`
  const refreshKey = `sxb.refresh.${app}`
  return {
    get: (): string | null => storage.getItem(key),
    getRefresh: (): string | null => storage.getItem(refreshKey),
    /** `refresh` omitted: keep the one stored; empty: forget it (a support session has none). */
    set: (token: string, refresh?: string) => {
      storage.setItem(key, token)
      if (refresh) storage.setItem(refreshKey, refresh)
      else if (refresh !== undefined) storage.removeItem(refreshKey)
    },
    clear: () => {
      storage.removeItem(key)
      storage.removeItem(refreshKey)
    },
  }
}

/** Renewing the token: one call however many requests failed at once (a refresh token works once). */
async function renew(tokens: ReturnType<typeof tokenStore>): Promise<boolean> {
  const refresh = tokens.getRefresh()
  if (!refresh) return false
  try {
    const response = await fetch(
      new Request(`${window.location.origin}/api/v1/auth/refresh/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh }),
      }),
    )
    if (!response.ok) return false
    const body = (await response.json()) as { token: string; refresh: string }
    tokens.set(body.token, body.refresh)
    return true
  } catch {
    return false
  }
}

export function createApi(app: AppName, onUnauthorized: () => void = () => {}) {
  const tokens = tokenStore(app)
  const client = createClient<paths>({ baseUrl: window.location.origin })
  // Each request as it was before sending (its body unread), to send again after a renewal.
  const unsent = new WeakMap<Request, Request>()
  let renewing: Promise<boolean> | null = null
  client.use({
    onRequest({ request }) {
      const token = tokens.get()
      if (token) request.headers.set('Authorization', `Bearer ${token}`)
      unsent.set(request, request.clone())
      return request
    },
    async onResponse({ request, response }) {
      if (response.status !== 401 || !tokens.get()) return response
      // An expired access token: renew it once with the refresh token and send the request again.
      const copy = unsent.get(request)
      if (copy && !new URL(request.url).pathname.startsWith('/api/v1/auth/')) {
        renewing ??= renew(tokens).finally(() => {
          renewing = null
        })
        if (await renewing) {
          copy.headers.set('Authorization', `Bearer ${tokens.get()}`)
          const retried = await fetch(copy)
          if (retried.status !== 401) return retried
        }
      }
      tokens.clear()
      onUnauthorized()
      return response
    },
  })
  return { client, tokens }
}

/** Await an openapi-fetch call and return its data, or throw an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await call
  } catch {
    throw toApiError(0, null)
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error)
  return result.data as T
}
