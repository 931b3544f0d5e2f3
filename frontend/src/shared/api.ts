import createClient from 'openapi-fetch'
import type { components, paths } from './api-types'

export type Schemas = components['schemas']
export type AppName = 'owner' | 'agent' | 'console'

/** Every failed call becomes one of these: the server's {code, message, fields}. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string[]>

  constructor(status: number, code: string, message: string, fields: Record<string, string[]> = {}) {
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
    return new ApiError(status, String(b.code), String(b.message), fields)
  }
  return new ApiError(status, status >= 500 ? 'server_error' : 'error', FALLBACK[status] ?? `请求失败（${status}）`)
}

/** Tokens are bound to the host that issued them; each app keeps its own. */
export function tokenStore(app: AppName, storage: Storage = window.localStorage) {
  const key = `sxb.token.${app}`
  return {
    get: (): string | null => storage.getItem(key),
    set: (token: string) => storage.setItem(key, token),
    clear: () => storage.removeItem(key),
  }
}

export function createApi(app: AppName, onUnauthorized: () => void = () => {}) {
  const tokens = tokenStore(app)
  const client = createClient<paths>({ baseUrl: window.location.origin })
  client.use({
    onRequest({ request }) {
      const token = tokens.get()
      if (token) request.headers.set('Authorization', `Bearer ${token}`)
      return request
    },
    onResponse({ response }) {
      if (response.status === 401 && tokens.get()) {
        tokens.clear()
        onUnauthorized()
      }
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
