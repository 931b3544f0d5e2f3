/**
 * The console's menu, grouped as the brochure does (销售 / 客户 / 分销与结算 / 商品与商城 / 售后 / 设置 on a
 * tenant's host; the platform's roles get their own groups), and the 位置：首页 > … breadcrumb built
 * from it. Who sees an item is decided here once; the server still checks every call.
 */
export interface MenuItem {
  path: string
  label: string
  testid: string
  /** Any of these roles sees it; none listed: every console user of that host. */
  roles?: string[]
}

export interface MenuGroup {
  key: string
  label: string
  /** 'tenant': a tenant's host; 'platform': the platform's host. */
  scope: 'tenant' | 'platform'
  items: MenuItem[]
}

const ADMIN = ['tenant_admin']
const ADMIN_FINANCE = ['tenant_admin', 'finance']

export const MENU: MenuGroup[] = [
  {
    key: 'sales',
    label: '销售',
    scope: 'tenant',
    items: [
      { path: '/quotes', label: '报价管理', testid: 'menu-quotes', roles: ['tenant_admin', 'finance', 'agent'] },
      { path: '/insurers', label: '保险公司', testid: 'menu-insurers', roles: ADMIN_FINANCE },
    ],
  },
  {
    key: 'customers',
    label: '客户',
    scope: 'tenant',
    items: [
      { path: '/customers', label: '客户管理', testid: 'menu-customers' },
      { path: '/reminders', label: '客户提醒', testid: 'menu-reminders' },
    ],
  },
  {
    key: 'distribution',
    label: '分销与结算',
    scope: 'tenant',
    items: [
      { path: '/org', label: '组织架构', testid: 'menu-org' },
      { path: '/agents', label: '代理人', testid: 'menu-agents' },
      { path: '/tiers', label: '分销层级', testid: 'menu-tiers' },
      { path: '/commission-plans', label: '返利分成方案', testid: 'menu-commission-plans', roles: ADMIN_FINANCE },
      { path: '/settlement', label: '费用结算', testid: 'menu-settlement', roles: ADMIN_FINANCE },
      { path: '/announcements', label: '政策推送', testid: 'menu-announcements', roles: ADMIN },
    ],
  },
  {
    key: 'mall',
    label: '商品与商城',
    scope: 'tenant',
    items: [
      { path: '/products', label: '商品管理', testid: 'menu-products', roles: ADMIN },
      { path: '/gift-packs', label: '礼包管理', testid: 'menu-gift-packs', roles: ADMIN },
      { path: '/redeem', label: '礼包核销', testid: 'menu-redeem', roles: ADMIN },
      { path: '/mall-orders', label: '商城订单', testid: 'menu-mall-orders', roles: ADMIN_FINANCE },
    ],
  },
  {
    key: 'aftersales',
    label: '售后',
    scope: 'tenant',
    items: [
      { path: '/aftersales', label: '售后工单', testid: 'menu-aftersales', roles: ADMIN_FINANCE },
      { path: '/bookings', label: '保养预约', testid: 'menu-bookings', roles: ADMIN },
      { path: '/partner-shops', label: '合作门店', testid: 'menu-partner-shops', roles: ADMIN },
    ],
  },
  {
    key: 'settings',
    label: '设置',
    scope: 'tenant',
    items: [
      { path: '/branding', label: '品牌设置', testid: 'menu-branding', roles: ADMIN },
      { path: '/domains', label: '自定义域名', testid: 'menu-domains', roles: ADMIN },
      { path: '/wechat-settings', label: '微信公众号设置', testid: 'menu-wechat-settings', roles: ADMIN },
      { path: '/message-templates', label: '消息模板', testid: 'menu-message-templates', roles: ADMIN },
      { path: '/billing', label: '订阅与账单', testid: 'menu-billing', roles: ADMIN_FINANCE },
      { path: '/support-sessions', label: '支持会话', testid: 'menu-support-sessions', roles: ADMIN },
    ],
  },
  {
    key: 'platform',
    label: '平台管理',
    scope: 'platform',
    items: [
      { path: '/tenants', label: '租户管理', testid: 'menu-tenants', roles: ['platform_admin'] },
      { path: '/revenue', label: '订阅与收入', testid: 'menu-revenue', roles: ['platform_admin'] },
      { path: '/insurer-directory', label: '保险公司目录', testid: 'menu-insurer-directory', roles: ['platform_admin'] },
      { path: '/shop-quality', label: '门店质量考核', testid: 'menu-shop-quality', roles: ['platform_admin'] },
      { path: '/platform-audit', label: '平台审计日志', testid: 'menu-platform-audit', roles: ['platform_admin'] },
    ],
  },
  {
    key: 'shop',
    label: '门店',
    scope: 'platform',
    items: [
      { path: '/shop-redeem', label: '门店核销', testid: 'menu-shop-redeem', roles: ['shop_staff'] },
      { path: '/service-orders', label: '维修工单', testid: 'menu-service-orders', roles: ['shop_staff'] },
      { path: '/shop-products', label: '门店商品', testid: 'menu-shop-products', roles: ['shop_staff'] },
      { path: '/shop-bookings', label: '预约看板', testid: 'menu-shop-bookings', roles: ['shop_staff'] },
      { path: '/shop-inventory', label: '库存管理', testid: 'menu-shop-inventory', roles: ['shop_staff'] },
      { path: '/shop-demand', label: '需求预测', testid: 'menu-shop-demand', roles: ['shop_staff'] },
      { path: '/shop-settings', label: '预约设置', testid: 'menu-shop-settings', roles: ['shop_staff'] },
    ],
  },
  {
    key: 'insurer',
    label: '理赔',
    scope: 'platform',
    items: [
      { path: '/claims', label: '理赔维修', testid: 'menu-claims', roles: ['insurer_staff'] },
      { path: '/insurer-announcements', label: '政策推送', testid: 'menu-insurer-announcements', roles: ['insurer_staff'] },
    ],
  },
]

/** Pages reached from elsewhere than the menu, for the breadcrumb. */
const OTHER_PAGES: Record<string, string> = { '/security': '账号安全' }

/** The groups (and in each, the items) these roles see on this kind of host; empty groups left out. */
export function menuFor(roles: readonly string[], platformHost: boolean): MenuGroup[] {
  const scope = platformHost ? 'platform' : 'tenant'
  return MENU.filter((g) => g.scope === scope)
    .map((g) => ({ ...g, items: g.items.filter((i) => !i.roles || i.roles.some((r) => roles.includes(r))) }))
    .filter((g) => g.items.length > 0)
}

/** The group holding a path (a detail page like /tenants/7/branding belongs to its list's group). */
export function groupOf(path: string, groups: MenuGroup[] = MENU): MenuGroup | undefined {
  return groups.find((g) => g.items.some((i) => path === i.path || path.startsWith(`${i.path}/`)))
}

/** 位置：首页 > group > page, as labels; just 首页 on the 工作台. */
export function breadcrumb(path: string, groups: MenuGroup[] = MENU): string[] {
  if (path === '/' || path === '') return ['首页']
  if (OTHER_PAGES[path]) return ['首页', OTHER_PAGES[path]]
  const group = groupOf(path, groups)
  const item = group?.items.find((i) => path === i.path || path.startsWith(`${i.path}/`))
  if (!group || !item) return ['首页']
  return item.path === path ? ['首页', group.label, item.label] : ['首页', group.label, item.label, '详情']
}
