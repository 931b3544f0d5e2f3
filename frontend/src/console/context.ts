import { inject, type InjectionKey } from 'vue'
import type { useBranding } from '@shared/branding'
import type { useSession } from '@shared/session'

export interface ConsoleContext {
  session: ReturnType<typeof useSession>
  brand: ReturnType<typeof useBranding>
}

export const CONSOLE: InjectionKey<ConsoleContext> = Symbol('console')

export function useConsole(): ConsoleContext {
  const ctx = inject(CONSOLE)
  if (!ctx) throw new Error('console context missing')
  return ctx
}

export const ROLE_LABELS: Record<string, string> = {
  platform_admin: '平台管理员',
  tenant_admin: '租户管理员',
  finance: '财务',
  agent: '代理人',
  owner: '车主',
  shop_staff: '服务商员工',
  insurer_staff: '保险公司员工',
}
