import type { Schemas } from '@shared/api'

export type Audience = Schemas['NoticeAudienceEnum']

/** A policy being composed in the console. */
export interface AnnouncementDraft {
  title: string
  body_html: string
  /** the first day it applies (required) */
  effective_from: string | null
  /** the last day it applies; empty: open-ended (长期) */
  effective_until: string | null
  audience: Audience
  tier_ids: number[]
  agent_ids: number[]
}

export function blankAnnouncement(): AnnouncementDraft {
  return { title: '', body_html: '', effective_from: null, effective_until: null, audience: 'all', tier_ids: [], agent_ids: [] }
}

export const AUDIENCES: { value: Audience; label: string }[] = [
  { value: 'all', label: '全部代理人' },
  { value: 'tiers', label: '按职级' },
  { value: 'agents', label: '指定代理人' },
]

/**
 * The multipart body of POST /api/v1/notices/announcements/: the fields, only the chosen audience's
 * ids, and each attachment as `attachments`. The server sanitises the HTML and checks everything.
 */
export function announcementFormData(draft: AnnouncementDraft, files: File[]): FormData {
  const form = new FormData()
  form.append('title', draft.title.trim())
  form.append('body_html', draft.body_html)
  if (draft.effective_from) form.append('effective_from', draft.effective_from)
  if (draft.effective_until) form.append('effective_until', draft.effective_until)
  form.append('audience', draft.audience)
  if (draft.audience === 'tiers') draft.tier_ids.forEach((id) => form.append('tier_ids', String(id)))
  if (draft.audience === 'agents') draft.agent_ids.forEach((id) => form.append('agent_ids', String(id)))
  files.forEach((f) => form.append('attachments', f, f.name))
  return form
}

/** "12 / 40 已读" for the list. */
export function readSummary(row: { recipients: number; read_count?: number }): string {
  return `${row.read_count ?? 0} / ${row.recipients} 已读`
}
