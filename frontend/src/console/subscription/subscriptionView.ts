// Pure helpers of the signup, billing and revenue pages (kept out of the .vue files so they are unit-tested).
import type { Schemas } from '@shared/api'
import { money } from '@shared/format'

export const SIGNUP_STEPS = ['提交申请', '开通中', '完成'] as const

/** Which of SIGNUP_STEPS is current, and whether it failed (Element Plus el-steps: active + status). */
export function signupStepIndex(status: string): { active: number; failed: boolean } {
  if (status === 'ready') return { active: 3, failed: false }
  if (status === 'failed') return { active: 1, failed: true }
  if (status === 'provisioning') return { active: 1, failed: false }
  return { active: 0, failed: false }
}

/** Keep polling while the signup is still on its way. */
export const signupSettled = (status: string) => status === 'ready' || status === 'failed'

/** "12 / 100" with the share used; 0 as a limit means unlimited. */
export function usageLine(used: number, limit = 0): { text: string; percent: number; full: boolean } {
  if (!limit) return { text: `${used} / 不限`, percent: 0, full: false }
  const percent = Math.min(100, Math.round((used / limit) * 100))
  return { text: `${used} / ${limit}`, percent, full: used >= limit }
}

export const limitText = (limit: number | undefined, unit = '') => (limit ? `${limit}${unit}` : '不限')

/** A plan's price: the shared money format. */
export const yuan = money

export const INVOICE_STATUS: Record<string, string> = {
  draft: '草稿',
  open: '待支付',
  paid: '已支付',
  uncollectible: '无法收款',
  void: '已作废',
}

export const SUBSCRIPTION_TAG: Record<string, 'success' | 'warning' | 'danger' | 'info'> = {
  active: 'success',
  trialing: 'info',
  past_due: 'danger',
  canceled: 'warning',
  none: 'info',
}

/** Days left of a trial (never negative), or null without one. */
export function trialDaysLeft(trialEndsAt: string | null, now: Date = new Date()): number | null {
  if (!trialEndsAt) return null
  return Math.max(0, Math.ceil((new Date(trialEndsAt).getTime() - now.getTime()) / 86_400_000))
}

/** Plans the tenant can switch to: active ones other than its own. */
export const otherPlans = (plans: Schemas['SaasPlan'][], current: Schemas['SaasPlan'] | null) =>
  plans.filter((p) => p.is_active && p.code !== current?.code)

/** A v4 UUID for the signup's idempotency key (crypto.randomUUID needs a secure context; plain http on
 *  a LAN address is not one, getRandomValues works everywhere). */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The signup's request_id, kept in this tab only: it proves to the server that "进入我的控制台" is
 * clicked by the browser that signed up (the progress page's URL carries the signup's id only). */
export const signupRequestKey = (signupId: string) => `sxb.signup.request.${signupId}`
