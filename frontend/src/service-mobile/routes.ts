import type { RouteRecordRaw } from 'vue-router'

/** The service-order pages, shared by the owner H5 (request, approve, review) and the agent app
 * (follow the customers' repairs); each reads the app it runs in. Loaded when first opened. */
export const servicePages: RouteRecordRaw[] = [
  { path: '/service-orders', name: 'service-orders', component: () => import('./ServiceOrdersPage.vue') },
  { path: '/service-orders/new', name: 'service-request', component: () => import('./ServiceRequestPage.vue') },
  { path: '/service-orders/:id', name: 'service-order', component: () => import('./ServiceOrderPage.vue') },
]
