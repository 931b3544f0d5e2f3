import { describe, expect, it } from 'vitest'
import { checkedTotal, decisionsBody, isAbout } from './serviceOrders'

const items = [
  { id: 1, amount: '272.00' },
  { id: 2, amount: '35.00' },
  { id: 3, amount: '80.10' },
]

describe('service orders', () => {
  it('sends a decision for every item, declining the unchecked ones', () => {
    expect(decisionsBody(items, [1, 3])).toEqual({
      items: [
        { item: 1, decision: 'approved' },
        { item: 2, decision: 'declined' },
        { item: 3, decision: 'approved' },
      ],
    })
  })

  it('adds the checked items to the cent', () => {
    expect(checkedTotal(items, [1, 3])).toBe('352.10')
    expect(checkedTotal(items, [])).toBe('0.00')
  })

  it('knows which pushes concern an order', () => {
    expect(isAbout('service_order.accepted', { order_id: 7 }, 7)).toBe(true)
    expect(isAbout('service_order.accepted', { order_id: 8 }, 7)).toBe(false)
    expect(isAbout('notice.new', { order_id: 7 }, 7)).toBe(false)
  })
})
