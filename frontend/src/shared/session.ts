import { ref } from 'vue'
import { type AppName, createApi, type Schemas, unwrap } from './api'

export type Me = Schemas['Me']
export type Scope = 'tenant' | 'public'

/** Which roles may use which app, on a tenant host or on the platform host. */
export const APP_ROLES: Record<AppName, Record<Scope, string[]>> = {
  owner: { tenant: ['owner'], public: [] },
  agent: { tenant: ['agent'], public: [] },
  console: { tenant: ['tenant_admin', 'finance'], public: ['platform_admin', 'shop_staff', 'insurer_staff'] },
}

export function mayUse(app: AppName, scope: Scope, roles: readonly string[]): boolean {
  return roles.some((r) => APP_ROLES[app][scope].includes(r))
}

export function roleRefusal(app: AppName, scope: Scope): string {
  if (app === 'owner') return '该账号不是本租户的车主'
  if (app === 'agent') return '该账号不是本租户的代理人'
  return scope === 'tenant' ? '该账号不是本租户的管理员或财务' : '该账号不是平台账号'
}

/** Log in, remember the token for this app on this host, load /me, and check the role. */
export type Session = ReturnType<typeof useSession>

export function useSession(app: AppName, scope: () => Scope, onLoggedOut: () => void) {
  const { client, tokens } = createApi(app, onLoggedOut)
  const me = ref<Me | null>(null)

  async function loadMe(): Promise<Me | null> {
    if (!tokens.get()) return null
    try {
      me.value = await unwrap(client.GET('/api/v1/me/'))
    } catch {
      me.value = null
    }
    return me.value
  }

  /** A token left from an earlier visit: load /me, and forget the token if its roles do not fit this app. */
  async function restore(): Promise<Me | null> {
    const loaded = await loadMe()
    if (loaded && !mayUse(app, scope(), loaded.roles)) {
      tokens.clear()
      me.value = null
      return null
    }
    return loaded
  }

  async function accept(token: string, roles: string[], refresh = ''): Promise<Me> {
    if (!mayUse(app, scope(), roles)) throw new Error(roleRefusal(app, scope()))
    tokens.set(token, refresh)
    const loaded = await loadMe()
    if (!loaded) throw new Error('登录失败，请重试')
    return loaded
  }

  /** Admins and finance answer a first `otp_required` (ApiError) with `otp`: the SMS or authenticator code. */
  async function loginWithPassword(mobile: string, password: string, otp = ''): Promise<Me> {
    const body = otp ? { mobile, password, otp } : { mobile, password }
    const r = await unwrap(client.POST('/api/v1/auth/token/', { body }))
    return accept(r.token, r.roles, r.refresh)
  }

  async function sendSmsCode(mobile: string): Promise<number> {
    const r = await unwrap(client.POST('/api/v1/auth/sms/send/', { body: { mobile } }))
    return r.expires_in
  }

  /** `referralCode`: a new owner who arrives through a referral link becomes that referrer's referral. */
  async function loginWithSms(mobile: string, code: string, referralCode = ''): Promise<Me> {
    const body = referralCode ? { mobile, code, referral_code: referralCode } : { mobile, code }
    const r = await unwrap(client.POST('/api/v1/auth/sms/token/', { body }))
    return accept(r.token, r.roles, r.refresh)
  }

  /** The new admin's first sign-in from "进入我的控制台": a one-time ticket from the signup. */
  async function loginWithSignupTicket(ticket: string): Promise<Me> {
    const r = await unwrap(client.POST('/api/v1/auth/signup-ticket/', { body: { ticket } }))
    return accept(r.token, r.roles, r.refresh)
  }

  async function logout(): Promise<void> {
    try {
      await client.POST('/api/v1/auth/logout/')
    } finally {
      tokens.clear()
      me.value = null
    }
  }

  /** Log out on every device: every token of this person, on every host. */
  async function logoutEverywhere(): Promise<void> {
    await unwrap(client.POST('/api/v1/auth/logout-all/'))
    tokens.clear()
    me.value = null
  }

  return {
    client,
    tokens,
    me,
    loadMe,
    restore,
    loginWithPassword,
    sendSmsCode,
    loginWithSms,
    loginWithSignupTicket,
    logout,
    logoutEverywhere,
  }
}
