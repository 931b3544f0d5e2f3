import type { LocationQuery, RouteLocationNormalized } from 'vue-router'

/**
 * Where to go after logging in: the page that was asked for (`/login?redirect=/customers?id=3`), but only
 * a path of this app on this origin. An absolute URL (`https://evil.example/`), a protocol-relative one
 * (`//evil.example`), a backslash (`/\evil.example`, which browsers read as `//`), a scheme
 * (`javascript:`), a control character or the login page itself is refused: `null`, and the caller goes
 * home.
 */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return null
  const base = 'https://this-app.invalid'
  let url: URL
  try {
    url = new URL(value, base)
  } catch {
    return null
  }
  if (url.origin !== base) return null
  if (url.pathname === '/login') return null
  return value
}

/** The login route for a visitor who asked for `to`: the target kept in `?redirect=` (not for home). */
export function loginFor(to: Pick<RouteLocationNormalized, 'fullPath' | 'name'>, extra: LocationQuery = {}) {
  const redirect = to.name === 'home' || to.name === 'login' ? null : safeRedirect(to.fullPath)
  return { name: 'login', query: redirect ? { ...extra, redirect } : extra }
}
