import { afterEach, describe, expect, it, vi } from 'vitest'
import { applyBranding, applyFavicon, brandingCssVars, brandingTitle, mix, useBranding } from './branding'

const datang = {
  scope: 'tenant' as const,
  tenant: { name: '大唐保险经纪有限公司', schema_name: 'datang', kind: 'brokerage' },
  display_name: '大唐经纪',
  short_name: '大唐',
  slogan: '车险理赔 一路相伴',
  logo_url: '',
  favicon_url: '/media/tenants/datang/branding/favicon-1.png',
  h5_title: '大唐车险·车主服务',
  primary_color: '#c8102e',
  secondary_color: '#F2A900',
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.documentElement.removeAttribute('style')
})

describe('branding', () => {
  it('derives shades exactly as Element Plus does for its own default blue', () => {
    // the values in element-plus/theme-chalk/base.css for #409EFF
    const vars = brandingCssVars({ primary_color: '#409EFF', secondary_color: '#000000' })
    expect(vars['--el-color-primary-light-3']).toBe('#79BBFF')
    expect(vars['--el-color-primary-light-5']).toBe('#A0CFFF')
    expect(vars['--el-color-primary-light-7']).toBe('#C6E2FF')
    expect(vars['--el-color-primary-light-8']).toBe('#D9ECFF')
    expect(vars['--el-color-primary-light-9']).toBe('#ECF5FF')
    expect(vars['--el-color-primary-dark-2']).toBe('#337ECC')
  })

  it('mixes towards white and black by weight', () => {
    expect(mix('#C8102E', '#FFFFFF', 0.5)).toBe('#E48897')
    expect(mix('#C8102E', '#000000', 0.2)).toBe('#A00D25')
    expect(mix('#C8102E', '#C8102E', 0.7)).toBe('#C8102E')
  })

  it("turns Datang's red into CSS variables for our pages, Vant and Element Plus", () => {
    const vars = brandingCssVars(datang)
    expect(vars['--sxb-primary']).toBe('#C8102E')
    expect(vars['--sxb-secondary']).toBe('#F2A900')
    expect(vars['--van-primary-color']).toBe('#C8102E')
    expect(vars['--el-color-primary']).toBe('#C8102E')
    expect(vars['--el-color-primary-light-3']).toBe('#D9586D')
    expect(vars['--el-color-primary-light-5']).toBe('#E48897')
    expect(vars['--el-color-primary-light-7']).toBe('#EFB7C0')
    expect(vars['--el-color-primary-light-8']).toBe('#F4CFD5')
    expect(vars['--el-color-primary-light-9']).toBe('#FAE7EA')
    expect(vars['--el-color-primary-dark-2']).toBe('#A00D25')
  })

  it('refuses a colour that is not #RRGGBB', () => {
    expect(() => brandingCssVars({ primary_color: 'red', secondary_color: '#000000' })).toThrow('not a #RRGGBB')
  })

  it('paints the document and names the page', () => {
    applyBranding(datang)
    const root = document.documentElement.style
    expect(root.getPropertyValue('--sxb-primary')).toBe('#C8102E')
    expect(root.getPropertyValue('--van-primary-color')).toBe('#C8102E')
    expect(root.getPropertyValue('--el-color-primary-light-9')).toBe('#FAE7EA')
    expect(document.title).toBe('大唐经纪')
    expect(document.head.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.getAttribute('href')).toBe(
      '/media/tenants/datang/branding/favicon-1.png',
    )
  })

  it('titles the owner H5 with its H5 title and the other apps with the name', () => {
    expect(brandingTitle(datang, 'owner')).toBe('大唐车险·车主服务')
    expect(brandingTitle(datang, 'agent')).toBe('大唐经纪')
    expect(brandingTitle({ ...datang, h5_title: '' }, 'owner')).toBe('大唐经纪')
    applyBranding(datang, document.documentElement, 'owner')
    expect(document.title).toBe('大唐车险·车主服务')
  })

  it('replaces an existing favicon link instead of adding a second one', () => {
    applyFavicon('/a.png')
    applyFavicon('/b.png')
    const links = document.head.querySelectorAll('link[rel~="icon"]')
    expect(links).toHaveLength(1)
    expect(links[0].getAttribute('href')).toBe('/b.png')
    applyFavicon('')
    expect(links[0].getAttribute('href')).toBe('/b.png')
  })

  it('useBranding loads the host branding once and applies it', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(datang), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const { branding, load } = useBranding()
    await load()
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/branding/', expect.anything())
    expect(branding.value?.display_name).toBe('大唐经纪')
    expect(document.documentElement.style.getPropertyValue('--sxb-secondary')).toBe('#F2A900')
  })
})
