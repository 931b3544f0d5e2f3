// Page logic of the platform console pages (tenants, branding, domains, support sessions), kept
// out of the components so it can be tested on its own.
import { brandingCssVars, type Branding } from '@shared/branding'

export type TenantStatus = 'active' | 'suspended' | 'deleting'

export const TENANT_STATUS: Record<TenantStatus, { label: string; tag: 'success' | 'warning' | 'danger' }> = {
  active: { label: '正常', tag: 'success' },
  suspended: { label: '已暂停', tag: 'warning' },
  deleting: { label: '删除中', tag: 'danger' },
}

const HEX = /^#[0-9a-f]{6}$/i

export interface BrandingDraft {
  display_name: string
  short_name: string
  slogan: string
  h5_title: string
  primary_color: string
  secondary_color: string
  logo_url: string
  favicon_url: string
}

/** What the form catches before saving (the server checks again and names the same fields). */
export function brandingDraftErrors(d: BrandingDraft): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!d.display_name.trim()) errors.display_name = '请填写显示名称'
  for (const key of ['primary_color', 'secondary_color'] as const) {
    if (!HEX.test(d[key].trim())) errors[key] = '颜色应为 #RRGGBB 格式，如 #C8102E'
  }
  return errors
}

/**
 * The branding the preview pane shows: the unsaved draft, except a colour still being typed
 * (not yet #RRGGBB) keeps the last good one, so the preview never breaks mid-edit.
 */
export function previewBranding(draft: BrandingDraft, lastGood: Pick<Branding, 'primary_color' | 'secondary_color'>) {
  const pick = (value: string, fallback: string) => (HEX.test(value.trim()) ? value.trim().toUpperCase() : fallback)
  const colours = {
    primary_color: pick(draft.primary_color, lastGood.primary_color),
    secondary_color: pick(draft.secondary_color, lastGood.secondary_color),
  }
  return {
    ...draft,
    ...colours,
    display_name: draft.display_name.trim() || '（未填写名称）',
    title: draft.h5_title.trim() || draft.display_name.trim(),
    vars: brandingCssVars(colours),
  }
}

/** The fields the form sends: only what changed since the saved branding. */
export function brandingChanges(saved: BrandingDraft, draft: BrandingDraft): Partial<BrandingDraft> {
  const out: Partial<BrandingDraft> = {}
  for (const key of ['display_name', 'short_name', 'slogan', 'h5_title', 'primary_color', 'secondary_color'] as const) {
    if (draft[key] !== saved[key]) out[key] = draft[key]
  }
  return out
}

/** A support session arrives as /console/#support_token=…: take the token and clean the address. */
export function supportTokenFromHash(hash: string): string | null {
  const m = /^#support_token=([A-Za-z0-9_-]{20,})$/.exec(hash)
  return m ? m[1] : null
}

/** Minutes left in a session, for the banner ("剩余 12 分钟"). */
export function minutesLeft(expiresAt: string, now: Date = new Date()): number {
  return Math.max(0, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / 60000))
}
