import 'element-plus/es/components/loading/style/css'
import { ElLoading } from 'element-plus'
import { createApp } from 'vue'
import { createShell } from '@shared/shell'
import ConsoleApp from './ConsoleApp.vue'
import { CONSOLE } from './context'
import HomePage from './HomePage.vue'
import LayoutPage from './LayoutPage.vue'
import LoginPage from './LoginPage.vue'
import AgentsPage from './AgentsPage.vue'
import OrgPage from './OrgPage.vue'
import TenantsPage from './TenantsPage.vue'
import TiersPage from './TiersPage.vue'

async function main() {
  const { brand, router, session } = createShell('console', [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
    {
      path: '/',
      component: LayoutPage,
      children: [
        { path: '', name: 'home', component: HomePage },
        { path: 'tenants', name: 'tenants', component: TenantsPage },
        { path: 'tiers', name: 'tiers', component: TiersPage },
        { path: 'agents', name: 'agents', component: AgentsPage },
        { path: 'org', name: 'org', component: OrgPage },
        // customers bring the date pickers, drawer and tabs: loaded when first opened, not with the login page
        { path: 'customers', name: 'customers', component: () => import('./CustomersPage.vue') },
        { path: 'reminders', name: 'reminders', component: () => import('./RemindersPage.vue') },
        { path: 'quotes', name: 'quotes', component: () => import('./QuotesPage.vue') },
        { path: 'insurers', name: 'insurers', component: () => import('./InsurersPage.vue') },
        { path: 'commission-plans', name: 'commission-plans', component: () => import('./CommissionPlansPage.vue') },
        { path: 'settlement', name: 'settlement', component: () => import('./SettlementPage.vue') },
        { path: 'products', name: 'products', component: () => import('./ProductsPage.vue') },
        { path: 'gift-packs', name: 'gift-packs', component: () => import('./GiftPacksPage.vue') },
        { path: 'redeem', name: 'redeem', component: () => import('./RedeemPage.vue') },
        // the same page at a shop's counter (platform host, shop staff): it picks the shop's endpoints itself
        { path: 'shop-redeem', name: 'shop-redeem', component: () => import('./RedeemPage.vue') },
        { path: 'partner-shops', name: 'partner-shops', component: () => import('./PartnerShopsPage.vue') },
        { path: 'mall-orders', name: 'mall-orders', component: () => import('./MallOrdersPage.vue') },
      ],
    },
  ])
  const platformAdmin = () =>
    brand.branding.value?.scope === 'public' && !!session.me.value?.roles.includes('platform_admin')
  const shopStaff = () => brand.branding.value?.scope === 'public' && !!session.me.value?.roles.includes('shop_staff')
  router.beforeEach((to) => {
    // the platform admin's work is the tenant list: land there; nobody else may open it
    if (to.name === 'home' && platformAdmin()) return { name: 'tenants' }
    if (to.name === 'tenants' && !platformAdmin()) return { name: 'home' }
    // shop staff work at the counter: 门店核销
    if (to.name === 'home' && shopStaff()) return { name: 'shop-redeem' }
    if (to.name === 'shop-redeem' && !shopStaff()) return { name: 'home' }
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
