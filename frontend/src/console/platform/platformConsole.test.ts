import { describe, expect, it } from 'vitest'
import {
  brandingChanges,
  brandingDraftErrors,
  minutesLeft,
  previewBranding,
  supportTokenFromHash,
  type BrandingDraft,
} from './platformConsole'

const saved: BrandingDraft = {
  display_name: '大唐经纪',
  short_name: '大唐',
  slogan: '车险理赔 一路相伴',
  h5_title: '',
  primary_color: '#C8102E',
  secondary_color: '#F2A900',
  logo_url: '',
  favicon_url: '',
}

describe('branding form', () => {
  it('previews the unsaved colours and keeps the last good one while a colour is half typed', () => {
    const preview = previewBranding({ ...saved, primary_color: '#0a7c3e', secondary_color: '#F2A' }, saved)
    expect(preview.primary_color).toBe('#0A7C3E')
    expect(preview.secondary_color).toBe('#F2A900')
    expect(preview.vars['--van-primary-color']).toBe('#0A7C3E')
    expect(preview.vars['--el-color-primary-light-9']).toBe('#E7F2EC')
  })

  it('titles the preview with the H5 title, else the name', () => {
    expect(previewBranding(saved, saved).title).toBe('大唐经纪')
    expect(previewBranding({ ...saved, h5_title: '大唐车险·车主服务' }, saved).title).toBe('大唐车险·车主服务')
    expect(previewBranding({ ...saved, display_name: ' ' }, saved).display_name).toBe('（未填写名称）')
  })

  it('names the fields that are wrong before saving', () => {
    expect(brandingDraftErrors(saved)).toEqual({})
    expect(brandingDraftErrors({ ...saved, display_name: '', primary_color: 'red' })).toEqual({
      display_name: '请填写显示名称',
      primary_color: '颜色应为 #RRGGBB 格式，如 #C8102E',
    })
  })

  it('sends only what changed', () => {
    expect(brandingChanges(saved, { ...saved, slogan: '新口号', logo_url: '/x.png' })).toEqual({ slogan: '新口号' })
    expect(brandingChanges(saved, saved)).toEqual({})
  })
})

describe('support sessions', () => {
  it('takes the token from the address fragment and nothing else', () => {
    expect(supportTokenFromHash('#support_token=AbC_def-0123456789xyzXYZ')).toBe('AbC_def-0123456789xyzXYZ')
    expect(supportTokenFromHash('#/customers')).toBeNull()
    expect(supportTokenFromHash('#support_token=short')).toBeNull()
    expect(supportTokenFromHash('#support_token=abc"><script>aaaaaaaaaaaaaaaaa')).toBeNull()
  })

  it('counts the minutes left, never below zero', () => {
    const now = new Date('2026-11-26T10:00:00+08:00')
    expect(minutesLeft('2026-11-26T10:29:01+08:00', now)).toBe(30)
    expect(minutesLeft('2026-11-26T10:12:00+08:00', now)).toBe(12)
    expect(minutesLeft('2026-11-26T09:00:00+08:00', now)).toBe(0)
  })
})
