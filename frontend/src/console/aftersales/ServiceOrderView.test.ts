import { describe, expect, it } from 'vitest'
import {
  aboveAverage,
  addPart,
  claimText,
  diffText,
  estimateBody,
  estimateTotals,
  type InventoryPart,
  labourLine,
  lineAmount,
  margin,
  shopButtons,
  stateTagType,
  tagRows,
} from './ServiceOrderView'

const padFront: InventoryPart = {
  id: 7, code: 'BP-F01', name: '前刹车片', unit: '套', unit_cost: '180.00', sale_price: '320.00', stock: '4.00',
  reorder_level: '2.00', active: true, low_stock: false,
} // prettier-ignore
const oil: InventoryPart = { ...padFront, id: 9, code: 'OIL-5W30', name: '全合成机油 4L', unit: '桶', unit_cost: '158.50', sale_price: '268.00' }

describe('维修工单: the buttons follow the server’s actions', () => {
  it('shows exactly what order.actions allows, in the order of the work', () => {
    expect(shopButtons(['reject', 'accept', 'cancel']).map((b) => [b.testid, b.label, b.reason])).toEqual([
      ['so-accept', '接单', null],
      ['so-reject', '拒单', 'required'],
      ['so-cancel', '取消工单', 'optional'],
    ])
    expect(shopButtons(['estimate', 'cancel']).map((b) => b.testid)).toEqual(['so-estimate', 'so-cancel'])
    expect(shopButtons(['settle']).map((b) => b.label)).toEqual(['结算'])
    // an insurer's 'approve' or an unknown action is no shop button; none at all for a settled order
    expect(shopButtons(['approve', 'review'])).toEqual([])
    expect(shopButtons(undefined)).toEqual([])
  })

  it('colours a state like the H5 does, with grey for cancelled (Element Plus has no default tag)', () => {
    expect(stateTagType('requested')).toBe('warning')
    expect(stateTagType('in_progress')).toBe('primary')
    expect(stateTagType('settled')).toBe('success')
    expect(stateTagType('rejected')).toBe('danger')
    expect(stateTagType('cancelled')).toBe('info')
    expect(stateTagType('nonsense')).toBe('info')
  })

  it('names the claim by insurer short name and claim number', () => {
    const picc = { id: 1, code: 'PICC', short_name: '人保财险' }
    expect(claimText({ insurer: picc, claim_no: 'RDAA2026430100001' })).toBe('人保财险 RDAA2026430100001')
    expect(claimText({ insurer: null, claim_no: '' })).toBe('—')
  })
})

describe('检测报价: the estimate editor', () => {
  it('adds a part once and counts it up when picked again; totals are sale and purchase, to the cent', () => {
    let lines = addPart([], padFront)
    lines = addPart(lines, oil)
    lines = addPart(lines, padFront)
    expect(lines.map((l) => [l.name, l.quantity, l.unit_price, l.unit_cost])).toEqual([
      ['前刹车片', '2', '320.00', '180.00'],
      ['全合成机油 4L', '1', '268.00', '158.50'],
    ])
    const labour = { ...labourLine(), name: '更换刹车片工时', quantity: '1.5', unit_price: '133.33', unit_cost: '60' }
    lines = [...lines, labour]
    // 1.5 × 133.33 = 199.995 → 200.00 (half-up, as the server rounds)
    expect(lineAmount(labour)).toBe('200.00')
    // 2 × 320 + 268 + 200.00 = 1108.00; cost 2 × 180 + 158.50 + 1.5 × 60 = 608.50
    expect(estimateTotals(lines)).toEqual({ amount: '1108.00', cost: '608.50' })
  })

  it('counts a mistyped box as nothing in the live total instead of showing NaN', () => {
    const typo = { ...labourLine(), name: '工时', quantity: '2', unit_price: '8O' }
    expect(estimateTotals([typo, { ...labourLine(), name: '检测', unit_price: '50' }])).toEqual({ amount: '50.00', cost: '0.00' })
  })

  it('sends a part by id (the server takes name and purchase price from the inventory) and labour with its cost', () => {
    const lines = [
      ...addPart([], padFront),
      { ...labourLine(), name: ' 钣金喷漆工时 ', quantity: '1', unit_price: '600', unit_cost: '260' },
      { ...labourLine(), name: '洗车', quantity: '1', unit_price: '30', unit_cost: '' },
      { ...addPart([], oil)[0], unit_price: '' },
    ]
    expect(estimateBody(lines, ' 左前叶子板刮擦 ')).toEqual({
      items: [
        { kind: 'part', part: 7, quantity: '1', unit_price: '320.00', name: '', note: '' },
        { kind: 'labour', name: '钣金喷漆工时', quantity: '1', unit_price: '600', unit_cost: '260', note: '' },
        // an empty labour cost is left out (the server counts 0)
        { kind: 'labour', name: '洗车', quantity: '1', unit_price: '30', note: '' },
        // an emptied part price is left out: the part's list price applies
        { kind: 'part', part: 9, quantity: '1', name: '', note: '' },
      ],
      note: '左前叶子板刮擦',
    })
  })

  it('sends an empty labour price as null and a typo as typed, so the server names the box', () => {
    const body = estimateBody([{ ...labourLine(), name: '工时', quantity: 'two', unit_price: '' }], '')
    expect(body.items[0]).toEqual({ kind: 'labour', name: '工时', quantity: 'two', unit_price: null, note: '' })
  })
})

describe('费用对比: a shop against all shops', () => {
  it('writes the difference with its sign and flags only a dearer shop', () => {
    expect(diffText('12.5')).toBe('+12.5%')
    expect(diffText('-3')).toBe('-3.0%')
    expect(diffText('0.0')).toBe('0.0%')
    expect(aboveAverage('12.5')).toBe(true)
    expect(aboveAverage('0.0')).toBe(false)
    expect(aboveAverage('-3.0')).toBe(false)
  })

  it('computes the margin of a shop’s claims to the cent', () => {
    expect(margin('1108.00', '608.50')).toBe('499.50')
    expect(margin('0.30', '0.10')).toBe('0.20')
  })
})

describe('list rows', () => {
  it('tags each table row with its order number, also after the rows change', async () => {
    document.body.innerHTML =
      '<div id="box"><div class="el-table__body"><table><tbody><tr><td>a</td></tr><tr><td>b</td></tr></tbody></table></div></div>'
    const box = document.getElementById('box')!
    let ids = ['SO20261126000001', 'SO20261126000002']
    const stop = tagRows(box, 'so-row-', () => ids)
    expect([...box.querySelectorAll('tr')].map((tr) => tr.dataset.testid)).toEqual(['so-row-SO20261126000001', 'so-row-SO20261126000002'])
    ids = ['SO20261126000003', ...ids]
    const tr = document.createElement('tr')
    tr.appendChild(document.createElement('td')).textContent = 'c'
    box.querySelector('tbody')!.prepend(tr)
    await new Promise((r) => setTimeout(r, 0))
    expect([...box.querySelectorAll('tr')].map((tr) => tr.dataset.testid)).toEqual([
      'so-row-SO20261126000003',
      'so-row-SO20261126000001',
      'so-row-SO20261126000002',
    ])
    stop()
  })
})
