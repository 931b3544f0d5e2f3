import { createMobileApp } from '@shared/mobile/createMobileApp'
import { noticePages, wechatEntryPage } from '../notices-mobile/routes'
import { quotePages } from '../quote-mobile/routes'
import { servicePages } from '../service-mobile/routes'
import OwnerHome from './OwnerHome.vue'

void createMobileApp({
  app: 'owner',
  roleLabel: '车主',
  allowSms: true,
  homeTop: OwnerHome,
  entries: [
    { key: 'vehicles', label: '我的车辆', icon: 'logistics', route: 'vehicles' },
    { key: 'quote', label: '快速报价', icon: 'balance-o', route: 'quote' },
    { key: 'quotes', label: '我的报价', icon: 'orders-o', route: 'quotes' },
    { key: 'booking', label: '保养预约', icon: 'calendar-o', route: 'booking' },
    { key: 'service', label: '维修保养', icon: 'setting-o', route: 'service-orders' },
    { key: 'gifts', label: '礼包', icon: 'gift-o', route: 'gifts' },
    { key: 'mall', label: '商城', icon: 'shop-o', route: 'mall' },
    { key: 'referral', label: '我的推荐', icon: 'friends-o', route: 'referral' },
  ],
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
