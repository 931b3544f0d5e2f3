import 'element-plus/es/components/loading/style/css'
import { ElLoading } from 'element-plus'
import { createApp } from 'vue'
import { createRouter, createWebHashHistory } from 'vue-router'
import { useBranding } from '@shared/branding'
import { useSession } from '@shared/session'
import ConsoleApp from './ConsoleApp.vue'
import { CONSOLE } from './context'
import HomePage from './HomePage.vue'
import LayoutPage from './LayoutPage.vue'
import LoginPage from './LoginPage.vue'
import TenantsPage from './TenantsPage.vue'

async function main() {
  const brand = useBranding()
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      {
        path: '/',
        component: LayoutPage,
        children: [
          { path: '', name: 'home', component: HomePage },
          { path: 'tenants', name: 'tenants', component: TenantsPage },
        ],
      },
    ],
  })
  const session = useSession(
    'console',
    () => (brand.branding.value?.scope === 'public' ? 'public' : 'tenant'),
    () => void router.replace({ name: 'login' }),
  )
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    if (!session.me.value && !(await session.loadMe())) return { name: 'login' }
    // the platform admin's work is the tenant list: land there
    const platformAdmin = brand.branding.value?.scope === 'public' && session.me.value?.roles.includes('platform_admin')
    if (to.name === 'home' && platformAdmin) return { name: 'tenants' }
    return true
  })
  await brand.load().catch(() => undefined)
  const app = createApp(ConsoleApp)
  app.provide(CONSOLE, { session, brand })
  app.use(router)
  app.use(ElLoading)
  app.mount('#app')
}

void main()
