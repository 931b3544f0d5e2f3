import { describe, expect, it } from 'vitest'
import { announcementFormData, blankAnnouncement, readSummary } from './announcementForm'

describe('announcement form', () => {
  it('sends only the chosen audience and every attachment', () => {
    const draft = {
      ...blankAnnouncement(),
      title: '  平安车险手续费调整 ',
      body_html: '<p>上调至 4%</p>',
      effective_from: '2026-12-01',
      effective_until: '2026-12-31',
      audience: 'tiers' as const,
      tier_ids: [2, 3],
      agent_ids: [7],
    }
    const pdf = new File(['%PDF'], '费率表.pdf', { type: 'application/pdf' })
    const form = announcementFormData(draft, [pdf])
    expect(form.get('title')).toBe('平安车险手续费调整')
    expect(form.get('effective_from')).toBe('2026-12-01')
    expect(form.get('effective_until')).toBe('2026-12-31')
    expect(form.getAll('tier_ids')).toEqual(['2', '3'])
    expect(form.getAll('agent_ids')).toEqual([])
    expect((form.get('attachments') as File).name).toBe('费率表.pdf')
  })

  it('leaves out dates that are not set, so the server names the missing field', () => {
    const form = announcementFormData({ ...blankAnnouncement(), title: 't', body_html: 'b' }, [])
    expect(form.has('effective_from')).toBe(false)
    expect(form.has('effective_until')).toBe(false)
  })

  it('sends an open-ended policy (no end date) with its first day only', () => {
    const form = announcementFormData({ ...blankAnnouncement(), title: 't', body_html: 'b', effective_from: '2027-01-01' }, [])
    expect(form.get('effective_from')).toBe('2027-01-01')
    expect(form.has('effective_until')).toBe(false)
    expect(form.get('audience')).toBe('all')
  })

  it('summarises read receipts', () => {
    expect(readSummary({ recipients: 40, read_count: 12 })).toBe('12 / 40 已读')
  })
})
