import 'element-plus/es/components/loading/style/css'
import { ElLoading } from 'element-plus'
import { createApp } from 'vue'
import { tokenStore } from '@shared/api'
import { createShell } from '@shared/shell'
import ConsoleApp from './ConsoleApp.vue'
import { CONSOLE } from './context'
import LayoutPage from './LayoutPage.vue'
import LoginPage from './LoginPage.vue'
import { supportTokenFromHash } from './platform/platformConsole'

async function main() {
  // a platform support session opens /console/#support_token=…: keep the token, clean the address
  const supportToken = supportTokenFromHash(window.location.hash)
  if (supportToken) {
    tokenStore('console').set(supportToken, '')
    window.history.replaceState(null, '', `${window.location.pathname}#/`)
  }
  const { brand, router, session } = createShell('console', [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
    // signup on the platform's host: no session needed
    { path: '/signup', name: 'signup', component: () => import('./subscription/SignupPage.vue'), meta: { public: true } },
    {
      path: '/signup/:id',
      name: 'signup-progress',
      component: () => import('./subscription/SignupProgressPage.vue'),
      meta: { public: true },
    },
    {
      path: '/',
      component: LayoutPage,
      children: [
        { path: '', name: 'home', component: () => import('./home/HomePage.vue') },
        { path: 'tenants', name: 'tenants', component: () => import('./platform/TenantsPage.vue') },
        { path: 'tiers', name: 'tiers', component: () => import('./network/TiersPage.vue') },
        { path: 'agents', name: 'agents', component: () => import('./network/AgentsPage.vue') },
        { path: 'org', name: 'org', component: () => import('./network/OrgPage.vue') },
        // customers bring the date pickers, drawer and tabs: loaded when first opened, not with the login page
        { path: 'customers', name: 'customers', component: () => import('./customers/CustomersPage.vue') },
        { path: 'reminders', name: 'reminders', component: () => import('./customers/RemindersPage.vue') },
        { path: 'quotes', name: 'quotes', component: () => import('./quotes/QuotesPage.vue') },
        { path: 'insurers', name: 'insurers', component: () => import('./insurers/InsurersPage.vue') },
        { path: 'commission-plans', name: 'commission-plans', component: () => import('./commissions/CommissionPlansPage.vue') },
        { path: 'settlement', name: 'settlement', component: () => import('./commissions/SettlementPage.vue') },
        { path: 'products', name: 'products', component: () => import('./mall/ProductsPage.vue') },
        { path: 'gift-packs', name: 'gift-packs', component: () => import('./mall/GiftPacksPage.vue') },
        { path: 'redeem', name: 'redeem', component: () => import('./mall/RedeemPage.vue') },
        // the same page at a shop's counter (platform host, shop staff): it picks the shop's endpoints itself
        { path: 'shop-redeem', name: 'shop-redeem', component: () => import('./mall/RedeemPage.vue') },
        { path: 'service-orders', name: 'service-orders', component: () => import('./aftersales/ServiceOrdersPage.vue') },
        { path: 'aftersales', name: 'aftersales', component: () => import('./aftersales/TenantServiceOrdersPage.vue') },
        { path: 'bookings', name: 'bookings', component: () => import('./aftersales/TenantBookingsPage.vue') },
        { path: 'claims', name: 'claims', component: () => import('./insurers/InsurerClaimsPage.vue') },
        { path: 'shop-products', name: 'shop-products', component: () => import('./shop/ShopProductsPage.vue') },
        { path: 'shop-bookings', name: 'shop-bookings', component: () => import('./shop/ShopBookingsPage.vue') },
        { path: 'shop-inventory', name: 'shop-inventory', component: () => import('./shop/ShopInventoryPage.vue') },
        { path: 'shop-demand', name: 'shop-demand', component: () => import('./shop/ShopDemandPage.vue') },
        { path: 'shop-settings', name: 'shop-settings', component: () => import('./shop/ShopSettingsPage.vue') },
        { path: 'shop-quality', name: 'shop-quality', component: () => import('./shop/ShopQualityPage.vue') },
        { path: 'insurer-directory', name: 'insurer-directory', component: () => import('./insurers/InsurerDirectoryPage.vue') },
        { path: 'partner-shops', name: 'partner-shops', component: () => import('./insurers/PartnerShopsPage.vue') },
        { path: 'mall-orders', name: 'mall-orders', component: () => import('./mall/MallOrdersPage.vue') },
        { path: 'branding', name: 'branding', component: () => import('./settings/BrandingPage.vue') },
        { path: 'tenants/:id/branding', name: 'tenant-branding', component: () => import('./settings/BrandingPage.vue') },
        { path: 'domains', name: 'domains', component: () => import('./settings/DomainsPage.vue') },
        { path: 'security', name: 'security', component: () => import('./settings/AccountSecurityPage.vue') },
        { path: 'support-sessions', name: 'support-sessions', component: () => import('./platform/SupportSessionsPage.vue') },
        { path: 'platform-audit', name: 'platform-audit', component: () => import('./platform/PlatformAuditPage.vue') },
        { path: 'billing', name: 'billing', component: () => import('./subscription/BillingPage.vue') },
        { path: 'revenue', name: 'revenue', component: () => import('./subscription/RevenuePage.vue') },
        { path: 'announcements', name: 'announcements', component: () => import('./notices/AnnouncementsPage.vue') },
        { path: 'message-templates', name: 'message-templates', component: () => import('./settings/MessageTemplatesPage.vue') },
        { path: 'wechat-settings', name: 'wechat-settings', component: () => import('./settings/WeChatSettingsPage.vue') },
        { path: 'insurer-announcements', name: 'insurer-announcements', component: () => import('./insurers/InsurerAnnouncementsPage.vue') },
      ],
    },
  ])
  const platformAdmin = () =>
    brand.branding.value?.scope === 'public' && !!session.me.value?.roles.includes('platform_admin')
  const shopStaff = () => brand.branding.value?.scope === 'public' && !!session.me.value?.roles.includes('shop_staff')
  const insurerStaff = () =>
    brand.branding.value?.scope === 'public' && !!session.me.value?.roles.includes('insurer_staff')
  router.beforeEach((to) => {
    // the platform admin's work is the tenant list: land there; nobody else may open it
    if (to.name === 'home' && platformAdmin()) return { name: 'tenants' }
    if ((to.name === 'tenants' || to.name === 'tenant-branding' || to.name === 'platform-audit') && !platformAdmin())
      return { name: 'home' }
    // shop staff work at the counter: 门店核销
    if (to.name === 'home' && shopStaff()) return { name: 'shop-redeem' }
    if (to.name === 'shop-redeem' && !shopStaff()) return { name: 'home' }
    // insurer staff follow their claims' repairs: 理赔维修
    if (to.name === 'home' && insurerStaff()) return { name: 'claims' }
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
