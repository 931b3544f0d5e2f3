import { money } from './format'
import type { Schemas } from './api'

export type QuoteRow = Schemas['QuoteList']
export type QuoteDetail = Schemas['QuoteDetail']
export type QuoteOption = Schemas['Option']
export type PolicyRow = Schemas['Policy']
export type RatingResult = Schemas['RatingResult']

/** 报价单状态, as the tenant sees them (DOMAIN.md, "Quotes and policies"). */
export const QUOTE_STATUS: Record<string, { label: string; type: 'primary' | 'success' | 'warning' | 'danger' | 'info' }> = {
  platform_quoted: { label: '平台已报价', type: 'info' },
  agent_quoted: { label: '代理人已报价', type: 'warning' },
  issued: { label: '已出单', type: 'primary' },
  completed: { label: '已完成', type: 'success' },
  expired: { label: '已过期', type: 'info' },
  cancelled: { label: '已取消', type: 'danger' },
  surrendered: { label: '已退保', type: 'danger' },
}

/** A tag for a quote some of whose policies (not all) were surrendered; '' otherwise (all: the 已退保 status). */
export function partlySurrendered(row: { surrendered?: string }): string {
  return row.surrendered === 'partial' ? '部分退保' : ''
}

export const ACTION_LABELS: Record<string, string> = {
  create: '生成报价',
  adjust: '调整报价',
  send: '代理人报价',
  accept: '确认投保并出单',
  pay: '确认收款',
  cancel: '取消报价',
  expire: '报价过期',
  surrender: '退保',
}

export const CTPL_CLASSES: { value: string; label: string }[] = [
  { value: 'new', label: '新车 / 首次投保' },
  { value: 'A1', label: '上年无赔款（1年）' },
  { value: 'A2', label: '连续2年无赔款' },
  { value: 'A3', label: '连续3年及以上无赔款' },
  { value: 'A4', label: '上年1次有责非死亡事故' },
  { value: 'A5', label: '上年2次及以上有责事故' },
  { value: 'A6', label: '上年有责死亡事故' },
]

export const THIRD_PARTY_LIMITS = ['100000', '150000', '200000', '300000', '500000', '1000000', '1500000', '2000000', '3000000', '4000000', '5000000', '10000000']

export const PAYMENT_METHODS = [
  { value: 'wechat', label: '微信支付' },
  { value: 'alipay', label: '支付宝' },
  { value: 'card', label: '银行卡' },
  { value: 'transfer', label: '对公转账' },
  { value: 'cash', label: '现金' },
]

/** "¥2,026.17" (and "−¥16.40") from the API's decimal strings: the shared formatter's money. */
export const yuan = money

/** "100万" for a limit in yuan. */
export function limitLabel(limit: string | number): string {
  const n = Number(limit)
  return n >= 10000 ? `${n / 10000}万` : `${n}元`
}

/** A rate "0.2500" as "25%". */
export function percent(rate: string | number | null | undefined): string {
  if (rate === null || rate === undefined || rate === '') return '—'
  return `${+(Number(rate) * 100).toFixed(2)}%`
}

/** The usual package: 交强险 + 车船税, 车损险, 三者险 100万, 司机 1万 and passengers 1万 × 4. */
export function defaultCoverages(seats = 5) {
  return {
    ctpl: true,
    vehicle_tax: true,
    commercial: [
      { code: 'own_damage' },
      { code: 'third_party', limit: '1000000' },
      { code: 'driver_liability', seats: 1, limit_per_seat: '10000' },
      ...(seats > 1 ? [{ code: 'passenger_liability', seats: seats - 1, limit_per_seat: '10000' }] : []),
    ],
  }
}

export const COVERAGE_NAMES: Record<string, string> = {
  own_damage: '车损险',
  third_party: '三者险',
  driver_liability: '车上人员（司机）',
  passenger_liability: '车上人员（乘客）',
  scratch: '车身划痕险',
  holiday_double_limit: '节假日限额翻倍险',
  roadside_assistance: '道路救援',
}
