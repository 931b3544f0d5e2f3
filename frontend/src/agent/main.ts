import { createMobileApp } from '@shared/mobile/createMobileApp'

void createMobileApp({
  app: 'agent',
  roleLabel: '代理人',
  allowSms: false,
  entries: [
    { key: 'quote', label: '快速报价', icon: 'balance-o' },
    { key: 'customers', label: '客户管理', icon: 'friends-o' },
    { key: 'quotes', label: '报价管理', icon: 'orders-o' },
    { key: 'team', label: '我的团队', icon: 'cluster-o' },
    { key: 'performance', label: '业绩', icon: 'chart-trending-o' },
    { key: 'policies', label: '政策', icon: 'bullhorn-o' },
  ],
})
