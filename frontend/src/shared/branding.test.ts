import { describe, expect, it } from 'vitest'
import { applyBranding, brandingCssVars, mix } from './branding'

const datang = {
  scope: 'tenant' as const,
  tenant: { name: '大唐保险经纪有限公司', schema_name: 'datang', kind: 'brokerage' },
  display_name: '大唐经纪',
  short_name: '大唐',
  slogan: '',
  logo_url: '',
  primary_color: '#c8102e',
  secondary_color: '#F2A900',
}

describe('branding', () => {
  it('mixes colours the way Element Plus derives its shades', () => {
    expect(mix('#C8102E', '#FFFFFF', 0.5)).toBe('#E48897')
    expect(mix('#C8102E', '#000000', 0.2)).toBe('#A00D25')
    expect(mix('#409EFF', '#FFFFFF', 0.3)).toBe('#79BBFF') // Element Plus' own light-3 of its default blue
  })

  it('turns the tenant colours into CSS variables for our pages, Vant and Element Plus', () => {
    const vars = brandingCssVars(datang)
    expect(vars['--sxb-primary']).toBe('#C8102E')
    expect(vars['--sxb-secondary']).toBe('#F2A900')
    expect(vars['--van-primary-color']).toBe('#C8102E')
    expect(vars['--el-color-primary']).toBe('#C8102E')
    expect(vars['--el-color-primary-light-9']).toBe('#FAE7EA')
    expect(vars['--el-color-primary-dark-2']).toBe('#A00D25')
  })

  it('refuses a colour that is not #RRGGBB', () => {
    expect(() => brandingCssVars({ primary_color: 'red', secondary_color: '#000000' })).toThrow('not a #RRGGBB')
  })

  it('paints the document and names the page', () => {
    applyBranding(datang)
    expect(document.documentElement.style.getPropertyValue('--sxb-primary')).toBe('#C8102E')
    expect(document.title).toBe('大唐经纪')
  })
})
