import type { RouteRecordRaw } from 'vue-router'

/** The quote pages, the same in the agent app and the owner H5 (each page reads the app's role).
 * Loaded when first opened: the H5's first load is the home page only. */
export const quotePages: RouteRecordRaw[] = [
  { path: '/quote', name: 'quote', component: () => import('./QuickQuotePage.vue') },
  { path: '/quotes', name: 'quotes', component: () => import('./QuotesPage.vue') },
  { path: '/quotes/:id', name: 'quote-detail', component: () => import('./QuoteDetailPage.vue') },
]
