import type { RouteRecordRaw } from 'vue-router'
import QuickQuotePage from './QuickQuotePage.vue'
import QuoteDetailPage from './QuoteDetailPage.vue'
import QuotesPage from './QuotesPage.vue'

/** The quote pages, the same in the agent app and the owner H5 (each page reads the app's role). */
export const quotePages: RouteRecordRaw[] = [
  { path: '/quote', name: 'quote', component: QuickQuotePage },
  { path: '/quotes', name: 'quotes', component: QuotesPage },
  { path: '/quotes/:id', name: 'quote-detail', component: QuoteDetailPage },
]
