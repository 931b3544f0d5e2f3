import { type Component, inject, type InjectionKey } from 'vue'
import type { AppName } from '../api'
import type { useBranding } from '../branding'
import type { useSession } from '../session'

export interface GridEntry {
  key: string
  label: string
  icon: string
  /** the page's route name; without one the entry opens the "即将上线" page */
  route?: string
  /** a badge of its own: 'announcements' shows the unread 政策推送 count */
  badge?: 'announcements'
}

export interface MobileContext {
  app: AppName
  roleLabel: string
  allowSms: boolean
  entries: GridEntry[]
  /** what the app's home shows above its tiles (the owner's cars, repair, packs, products) */
  homeTop?: Component
  session: ReturnType<typeof useSession>
  brand: ReturnType<typeof useBranding>
}

export const MOBILE: InjectionKey<MobileContext> = Symbol('mobile')

export function useMobile(): MobileContext {
  const ctx = inject(MOBILE)
  if (!ctx) throw new Error('mobile context missing')
  return ctx
}
