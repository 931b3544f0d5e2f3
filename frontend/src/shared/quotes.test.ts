import { describe, expect, it } from 'vitest'
import { partlySurrendered, QUOTE_STATUS } from './quotes'

describe('a quote after 退保', () => {
  it('has the 已退保 status when every policy is surrendered, and a 部分退保 tag when some are', () => {
    expect(QUOTE_STATUS.surrendered).toEqual({ label: '已退保', type: 'danger' })
    expect(partlySurrendered({ surrendered: 'partial' })).toBe('部分退保')
    expect(partlySurrendered({ surrendered: 'all' })).toBe('')
    expect(partlySurrendered({ surrendered: 'none' })).toBe('')
  })
})
