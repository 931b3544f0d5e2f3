import { describe, expect, it } from 'vitest'
import { loginFor, safeRedirect } from './redirect'

describe('safeRedirect', () => {
  it('keeps a path of this app, with its query and hash', () => {
    expect(safeRedirect('/customers')).toBe('/customers')
    expect(safeRedirect('/quotes?status=sent&page=2')).toBe('/quotes?status=sent&page=2')
    expect(safeRedirect('/soon/gift#top')).toBe('/soon/gift#top')
  })

  it.each([
    'https://evil.example/',
    'http://evil.example/customers',
    '//evil.example',
    '//evil.example/customers',
    '/\\evil.example',
    '\\\\evil.example',
    '/%0a/evil.example'.replace('%0a', '\n'),
    '\t//evil.example',
    'javascript:alert(1)',
    ' /customers',
    'customers',
    '',
    '/login',
    '/login?redirect=/customers',
  ])('refuses %j', (target) => {
    expect(safeRedirect(target)).toBeNull()
  })

  it('refuses what is not one string', () => {
    expect(safeRedirect(undefined)).toBeNull()
    expect(safeRedirect(['/customers', '//evil.example'])).toBeNull()
    expect(safeRedirect(null)).toBeNull()
  })
})

describe('loginFor', () => {
  it('keeps the page asked for, and nothing for home', () => {
    expect(loginFor({ name: 'quotes', fullPath: '/quotes?id=3' })).toEqual({
      name: 'login',
      query: { redirect: '/quotes?id=3' },
    })
    expect(loginFor({ name: 'home', fullPath: '/' })).toEqual({ name: 'login', query: {} })
    expect(loginFor({ name: 'x', fullPath: '/x' }, { ref: 'R1' })).toEqual({
      name: 'login',
      query: { ref: 'R1', redirect: '/x' },
    })
  })
})
