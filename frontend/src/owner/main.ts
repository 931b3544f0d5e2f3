import { createMobileApp } from '@shared/mobile/createMobileApp'
import { noticePages, wechatEntryPage } from '../notices-mobile/routes'
import { quotePages } from '../quote-mobile/routes'
import { servicePages } from '../service-mobile/routes'
import { OWNER_ENTRIES } from './entries'
import OwnerHome from './OwnerHome.vue'

void createMobileApp({
  app: 'owner',
  roleLabel: '车主',
  allowSms: true,
  homeTop: OwnerHome,
  entries: OWNER_ENTRIES,
  pages: [
    { path: '/vehicles', name: 'vehicles', component: () => import('./VehiclesPage.vue') },
    { path: '/referral', name: 'referral', component: () => import('@shared/mobile/ReferralPage.vue') },
    // the packs and the mall are loaded when first opened, not with the home page
    { path: '/gifts', name: 'gifts', component: () => import('./GiftPacksPage.vue') },
    { path: '/booking', name: 'booking', component: () => import('./BookingPage.vue') },
    { path: '/mall', name: 'mall', component: () => import('../mall-mobile/MallPage.vue') },
    { path: '/mall/cart', name: 'mall-cart', component: () => import('../mall-mobile/CartPage.vue') },
    { path: '/mall/orders', name: 'mall-orders', component: () => import('../mall-mobile/OrdersPage.vue') },
    { path: '/mall/orders/:id', name: 'mall-order', component: () => import('../mall-mobile/OrderPage.vue') },
    ...quotePages,
    ...servicePages,
    ...noticePages,
    wechatEntryPage,
  ],
})
