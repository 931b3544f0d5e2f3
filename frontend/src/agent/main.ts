import { createMobileApp } from '@shared/mobile/createMobileApp'
import ReferralPage from '@shared/mobile/ReferralPage.vue'
import { noticePages } from '../notices-mobile/routes'
import { quotePages } from '../quote-mobile/routes'
import { servicePages } from '../service-mobile/routes'
import CustomerDetailPage from './CustomerDetailPage.vue'
import CustomerNewPage from './CustomerNewPage.vue'
import CustomersPage from './CustomersPage.vue'
import IncomeMonthPage from './IncomeMonthPage.vue'
import IncomePage from './IncomePage.vue'
import JoinPage from './JoinPage.vue'
import PerformancePage from './PerformancePage.vue'
import RemindersPage from './RemindersPage.vue'
import StatementPage from './StatementPage.vue'
import TeamPage from './TeamPage.vue'

void createMobileApp({
  app: 'agent',
  roleLabel: '代理人',
  allowSms: false,
  entries: [
    { key: 'quote', label: '快速报价', icon: 'balance-o', route: 'quote' },
    { key: 'customers', label: '客户管理', icon: 'friends-o', route: 'customers' },
    { key: 'catalogue', label: '产品推荐', icon: 'shop-o', route: 'catalogue' },
    { key: 'reminders', label: '待办提醒', icon: 'bell', route: 'reminders' },
    { key: 'quotes', label: '报价管理', icon: 'orders-o', route: 'quotes' },
    { key: 'service', label: '客户维修', icon: 'setting-o', route: 'service-orders' },
    { key: 'bookings', label: '客户预约', icon: 'calendar-o', route: 'bookings' },
    { key: 'team', label: '我的团队', icon: 'cluster-o', route: 'team' },
    { key: 'invite', label: '邀请代理人', icon: 'qr', route: 'invite' },
    { key: 'income', label: '我的收入', icon: 'gold-coin-o', route: 'income' },
    { key: 'performance', label: '业绩', icon: 'chart-trending-o', route: 'performance' },
    { key: 'policies', label: '政策', icon: 'bullhorn-o', route: 'messages', badge: 'announcements' },
  ],
  pages: [
    { path: '/customers', name: 'customers', component: CustomersPage },
    { path: '/customers/new', name: 'customer-new', component: CustomerNewPage },
    { path: '/customers/:id', name: 'customer', component: CustomerDetailPage },
    { path: '/reminders', name: 'reminders', component: RemindersPage },
    { path: '/team', name: 'team', component: TeamPage },
    { path: '/invite', name: 'invite', component: ReferralPage },
    { path: '/join', name: 'join', component: JoinPage, meta: { public: true } },
    { path: '/income', name: 'income', component: IncomePage },
    { path: '/income/:period', name: 'income-month', component: IncomeMonthPage },
    { path: '/statements/:id', name: 'statement', component: StatementPage },
    { path: '/performance', name: 'performance', component: PerformancePage },
    { path: '/bookings', name: 'bookings', component: () => import('./BookingsPage.vue') },
    // 产品推荐 / 产品展示: products and gift packs, shared to owners with the agent's referral code
    { path: '/catalogue', name: 'catalogue', component: () => import('./CataloguePage.vue') },
    ...quotePages,
    ...servicePages,
    ...noticePages,
  ],
})
