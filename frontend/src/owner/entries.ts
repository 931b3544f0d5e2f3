import type { GridEntry } from '@shared/mobile/context'

/** The owner H5's home tiles, in order: the app's grid, and the console's branding preview of it. */
export const OWNER_ENTRIES: GridEntry[] = [
  { key: 'vehicles', label: '我的车辆', icon: 'logistics', route: 'vehicles' },
  { key: 'quote', label: '快速报价', icon: 'balance-o', route: 'quote' },
  { key: 'quotes', label: '我的报价', icon: 'orders-o', route: 'quotes' },
  { key: 'booking', label: '保养预约', icon: 'calendar-o', route: 'booking' },
  { key: 'service', label: '维修保养', icon: 'setting-o', route: 'service-orders' },
  { key: 'gifts', label: '礼包', icon: 'gift-o', route: 'gifts' },
  { key: 'mall', label: '商城', icon: 'shop-o', route: 'mall' },
  { key: 'referral', label: '我的推荐', icon: 'friends-o', route: 'referral' },
]

/** The owner H5's tab bar (MobileShell). */
export const OWNER_TABS = ['首页', '消息', '我的']
