import { ref } from 'vue'
import type { AppName, Schemas } from './api'

export type Branding = Schemas['Branding']

const HEX = /^#([0-9a-f]{6})$/i

function channels(hex: string): [number, number, number] {
  const m = HEX.exec(hex)
  if (!m) throw new Error(`not a #RRGGBB colour: ${hex}`)
  const n = parseInt(m[1], 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** Mix `color` towards `toward` by `weight` (0..1), as Element Plus derives its shades. */
export function mix(color: string, toward: string, weight: number): string {
  const a = channels(color)
  const b = channels(toward)
  const out = a.map((c, i) => Math.round(c * (1 - weight) + b[i] * weight))
  return '#' + out.map((c) => c.toString(16).padStart(2, '0')).join('').toUpperCase()
}

/** CSS variables for our pages, Vant and Element Plus, from the tenant's two colours. */
export function brandingCssVars(b: Pick<Branding, 'primary_color' | 'secondary_color'>): Record<string, string> {
  const primary = b.primary_color.toUpperCase()
  const secondary = b.secondary_color.toUpperCase()
  const vars: Record<string, string> = {
    '--sxb-primary': primary,
    '--sxb-secondary': secondary,
    '--van-primary-color': primary,
    '--van-tabbar-item-active-color': primary,
    '--van-tabs-bottom-bar-color': primary,
    '--el-color-primary': primary,
    '--el-color-primary-dark-2': mix(primary, '#000000', 0.2),
  }
  for (const n of [3, 5, 7, 8, 9]) vars[`--el-color-primary-light-${n}`] = mix(primary, '#FFFFFF', n / 10)
  return vars
}

/** The tab title: the owner H5 uses the tenant's H5 title when it has one, the other apps its name. */
export function brandingTitle(b: Pick<Branding, 'display_name' | 'h5_title'>, app?: AppName): string {
  return (app === 'owner' && b.h5_title) || b.display_name
}

/** Point the page's <link rel="icon"> at the tenant's favicon (added when the page has none). */
export function applyFavicon(url: string, doc: Document = document): void {
  if (!url) return
  let link = doc.head.querySelector<HTMLLinkElement>('link[rel~="icon"]')
  if (!link) {
    link = doc.createElement('link')
    link.rel = 'icon'
    doc.head.appendChild(link)
  }
  link.href = url
}

export function applyBranding(b: Branding, root: HTMLElement = document.documentElement, app?: AppName): void {
  for (const [name, value] of Object.entries(brandingCssVars(b))) root.style.setProperty(name, value)
  document.title = brandingTitle(b, app)
  applyFavicon(b.favicon_url)
}

const branding = ref<Branding | null>(null)

/** Loads GET /api/v1/branding/ once per page and paints the page with it. */
export function useBranding(app?: AppName) {
  async function load(): Promise<Branding> {
    const response = await fetch('/api/v1/branding/', { headers: { Accept: 'application/json' } })
    if (!response.ok) throw new Error(`branding: HTTP ${response.status}`)
    const data = (await response.json()) as Branding
    applyBranding(data, document.documentElement, app)
    branding.value = data
    return data
  }
  return { branding, load }
}
