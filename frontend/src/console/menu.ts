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
const STAFF = ['tenant_admin', 'finance', 'agent']
const PLATFORM_ADMIN = ['platform_admin']
const SHOP_STAFF = ['shop_staff']
const INSURER_STAFF = ['insurer_staff']

/** A menu item: its test id is menu-<path>; no roles: every console user of its host. */
const item = (path: string, label: string, roles?: string[]): MenuItem => ({
  path,
  label,
  testid: `menu-${path.slice(1)}`,
  ...(roles ? { roles } : {}),
})

const group = (scope: MenuGroup['scope'], key: string, label: string, items: MenuItem[]): MenuGroup => ({ key, label, scope, items })

export const MENU: MenuGroup[] = [
  group('tenant', 'sales', '销售', [
    item('/quotes', '报价管理', STAFF),
    item('/insurers', '保险公司', ADMIN_FINANCE),
  ]),
  group('tenant', 'customers', '客户', [
    item('/customers', '客户管理'),
    item('/reminders', '客户提醒'),
  ]),
  group('tenant', 'distribution', '分销与结算', [
    item('/org', '组织架构'),
    item('/agents', '代理人'),
    item('/tiers', '分销层级'),
    item('/commission-plans', '返利分成方案', ADMIN_FINANCE),
    item('/settlement', '费用结算', ADMIN_FINANCE),
    item('/announcements', '政策推送', ADMIN),
  ]),
  group('tenant', 'mall', '商品与商城', [
    item('/products', '商品管理', ADMIN),
    item('/gift-packs', '礼包管理', ADMIN),
    item('/redeem', '礼包核销', ADMIN),
    item('/mall-orders', '商城订单', ADMIN_FINANCE),
  ]),
  group('tenant', 'aftersales', '售后', [
    item('/aftersales', '售后工单', ADMIN_FINANCE),
    item('/bookings', '保养预约', ADMIN),
    item('/partner-shops', '合作门店', ADMIN),
  ]),
  group('tenant', 'settings', '设置', [
    item('/branding', '品牌设置', ADMIN),
    item('/domains', '自定义域名', ADMIN),
    item('/wechat-settings', '微信公众号设置', ADMIN),
    item('/message-templates', '消息模板', ADMIN),
    item('/billing', '订阅与账单', ADMIN_FINANCE),
    item('/support-sessions', '支持会话', ADMIN),
  ]),
  group('platform', 'platform', '平台管理', [
    item('/tenants', '租户管理', PLATFORM_ADMIN),
    item('/revenue', '订阅与收入', PLATFORM_ADMIN),
    item('/insurer-directory', '保险公司目录', PLATFORM_ADMIN),
    item('/shop-quality', '门店质量考核', PLATFORM_ADMIN),
    item('/platform-audit', '平台审计日志', PLATFORM_ADMIN),
  ]),
  group('platform', 'shop', '门店', [
    item('/shop-redeem', '门店核销', SHOP_STAFF),
    item('/service-orders', '维修工单', SHOP_STAFF),
    item('/shop-products', '门店商品', SHOP_STAFF),
    item('/shop-bookings', '预约看板', SHOP_STAFF),
    item('/shop-inventory', '库存管理', SHOP_STAFF),
    item('/shop-demand', '需求预测', SHOP_STAFF),
    item('/shop-settings', '预约设置', SHOP_STAFF),
  ]),
  group('platform', 'insurer', '理赔', [
    item('/claims', '理赔维修', INSURER_STAFF),
    item('/insurer-announcements', '政策推送', INSURER_STAFF),
  ]),
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
