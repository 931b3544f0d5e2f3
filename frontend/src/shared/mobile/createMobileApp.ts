import { createApp } from 'vue'
import { createRouter, createWebHashHistory } from 'vue-router'
import type { AppName } from '../api'
import { useBranding } from '../branding'
import { useSession } from '../session'
import { type GridEntry, MOBILE } from './context'
import HomePage from './HomePage.vue'
import LoginPage from './LoginPage.vue'
import MinePage from './MinePage.vue'
import MobileShell from './MobileShell.vue'
import SoonPage from './SoonPage.vue'

/** The owner H5 and the agent app share one shell; each names its role and its entries. */
export async function createMobileApp(options: {
  app: AppName
  roleLabel: string
  allowSms: boolean
  entries: GridEntry[]
}): Promise<void> {
  const brand = useBranding()
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      { path: '/', name: 'home', component: HomePage },
      { path: '/mine', name: 'mine', component: MinePage },
      { path: '/soon/:key', name: 'soon', component: SoonPage },
    ],
  })
  const session = useSession(
    options.app,
    () => (brand.branding.value?.scope === 'public' ? 'public' : 'tenant'),
    () => void router.replace({ name: 'login' }),
  )
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    if (!session.me.value && !(await session.loadMe())) return { name: 'login' }
    return true
  })
  await brand.load().catch(() => undefined)
  const app = createApp(MobileShell)
  app.provide(MOBILE, { ...options, session, brand })
  app.use(router)
  app.mount('#app')
}
