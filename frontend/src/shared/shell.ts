import { createRouter, createWebHashHistory, type Router, type RouteRecordRaw, type RouterHistory } from 'vue-router'
import type { AppName } from './api'
import { useBranding } from './branding'
import { rememberReferral } from './referral'
import { loginFor } from './redirect'
import { type Session, useSession } from './session'

/** Routes marked `meta: { public: true }` (the login page) need no session; every other one does. */
export function installAuthGuard(router: Router, session: Pick<Session, 'me' | 'restore'>): void {
  router.beforeEach(async (to) => {
    // a share link's ?ref= is kept for the order, and carried to the login page for a signup
    const ref = typeof to.query.ref === 'string' ? to.query.ref : ''
    if (ref) rememberReferral(ref)
    if (to.meta.public) return true
    // the page asked for is kept (?redirect=) so the login page returns there
    if (!session.me.value && !(await session.restore())) return loginFor(to, ref ? { ref } : {})
    return true
  })
}

/**
 * What every app starts with: the host's branding, a hash router (Django serves one page per app,
 * so no server catch-all is needed), and a session whose token is kept per app and dropped on 401.
 */
export function createShell(app: AppName, routes: RouteRecordRaw[], history: RouterHistory = createWebHashHistory()) {
  const brand = useBranding(app)
  const router = createRouter({ history, routes })
  const session = useSession(
    app,
    () => (brand.branding.value?.scope === 'public' ? 'public' : 'tenant'),
    // a session that ends (401) returns to the page it was on after the next login
    () => void router.replace(loginFor(router.currentRoute.value)),
  )
  installAuthGuard(router, session)
  return { brand, router, session }
}
