import { ref } from 'vue'
import type { Schemas } from './api'

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

export function applyBranding(b: Branding, root: HTMLElement = document.documentElement): void {
  for (const [name, value] of Object.entries(brandingCssVars(b))) root.style.setProperty(name, value)
  document.title = b.display_name
}

const branding = ref<Branding | null>(null)

/** Loads GET /api/v1/branding/ once per page and paints the page with it. */
export function useBranding() {
  async function load(): Promise<Branding> {
    const response = await fetch('/api/v1/branding/', { headers: { Accept: 'application/json' } })
    if (!response.ok) throw new Error(`branding: HTTP ${response.status}`)
    const data = (await response.json()) as Branding
    applyBranding(data)
    branding.value = data
    return data
  }
  return { branding, load }
}
