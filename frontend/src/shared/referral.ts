/**
 * The referral code an owner arrived with (an agent's 产品推荐 share link or a referral QR: `?ref=CODE`).
 * Kept in the browser so that it survives the login page and the cart; the mall sends it with the order,
 * and the server only uses it for a customer who has no promoter yet (api/v1/mall, order_place).
 */
const KEY = 'sxb.referral'

export function rememberReferral(code: unknown): void {
  if (typeof code !== 'string' || !/^[A-Za-z0-9]{4,12}$/.test(code)) return
  try {
    window.localStorage.setItem(KEY, code.toUpperCase())
  } catch {
    // storage refused (private mode): the link still works for a signup through the login page
  }
}

export function rememberedReferral(): string {
  try {
    return window.localStorage.getItem(KEY) ?? ''
  } catch {
    return ''
  }
}
