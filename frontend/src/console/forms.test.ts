import { describe, expect, it } from 'vitest'
import { ApiError } from '@shared/api'
import { refusalMessage } from './forms'

const generic = '输入有误，请检查标出的字段'

describe('refusalMessage', () => {
  it('shows the reason of a field the page has no box for instead of the generic 400 message', () => {
    const e = new ApiError(400, 'invalid', generic, { period: ['2026-12 尚未结束，月底之后才能结算'] })
    expect(refusalMessage(e)).toBe('2026-12 尚未结束，月底之后才能结算')
  })

  it('leaves out the fields the form marks itself, and keeps the generic message when nothing else is left', () => {
    const e = new ApiError(400, 'invalid', generic, {
      title: ['请填写标题'],
      effective_until: ['截止日期不能早于生效日期'],
      non_field_errors: ['该政策已撤回'],
    })
    expect(refusalMessage(e, ['title', 'effective_until'])).toBe('该政策已撤回')
    expect(refusalMessage(new ApiError(400, 'invalid', generic, { title: ['请填写标题'] }), ['title'])).toBe(generic)
  })

  it('keeps the message of any other refusal', () => {
    expect(refusalMessage(new ApiError(409, 'service_order_invalid_transition', '工单已取消', {}))).toBe('工单已取消')
  })
})
