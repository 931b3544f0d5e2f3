import { describe, expect, it } from 'vitest'
import { breadcrumb, MENU, menuFor } from './menu'

const shape = (roles: string[], platform: boolean) =>
  menuFor(roles, platform).map((g) => `${g.label}: ${g.items.map((i) => i.label).join(' ')}`)

describe('the grouped console menu', () => {
  it('gives a tenant admin the six brochure groups with all 23 tenant pages', () => {
    expect(shape(['tenant_admin'], false)).toEqual([
      '销售: 报价管理 保险公司',
      '客户: 客户管理 客户提醒',
      '分销与结算: 组织架构 代理人 分销层级 返利分成方案 费用结算 政策推送',
      '商品与商城: 商品管理 礼包管理 礼包核销 商城订单',
      '售后: 售后工单 保养预约 合作门店',
      '设置: 品牌设置 自定义域名 微信公众号设置 消息模板 订阅与账单 支持会话',
    ])
  })

  it('gives finance what it may read, and drops groups it has nothing in', () => {
    expect(shape(['finance'], false)).toEqual([
      '销售: 报价管理 保险公司',
      '客户: 客户管理 客户提醒',
      '分销与结算: 组织架构 代理人 分销层级 返利分成方案 费用结算',
      '商品与商城: 商城订单',
      '售后: 售后工单',
      '设置: 订阅与账单',
    ])
  })

  it('keeps the platform roles on their own groups, never the tenant pages', () => {
    expect(shape(['platform_admin'], true)).toEqual(['平台管理: 租户管理 订阅与收入 保险公司目录 门店质量考核 平台审计日志'])
    expect(shape(['shop_staff'], true)).toEqual(['门店: 门店核销 维修工单 门店商品 预约看板 库存管理 需求预测 预约设置'])
    expect(shape(['insurer_staff'], true)).toEqual(['理赔: 理赔维修 政策推送'])
    // a tenant admin's role name on the platform host shows nothing of the tenant menu
    expect(shape(['tenant_admin'], true)).toEqual([])
  })

  it('gives each page one place: no path or test id twice', () => {
    const items = MENU.flatMap((g) => g.items)
    expect(new Set(items.map((i) => i.path)).size).toBe(items.length)
    expect(new Set(items.map((i) => i.testid)).size).toBe(items.length)
  })

  it('builds the brochure breadcrumb 位置：首页 > group > page', () => {
    expect(breadcrumb('/')).toEqual(['首页'])
    expect(breadcrumb('/settlement')).toEqual(['首页', '分销与结算', '费用结算'])
    expect(breadcrumb('/customers')).toEqual(['首页', '客户', '客户管理'])
    expect(breadcrumb('/tenants/7/branding')).toEqual(['首页', '平台管理', '租户管理', '详情'])
    expect(breadcrumb('/security')).toEqual(['首页', '账号安全'])
  })
})
