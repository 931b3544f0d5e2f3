import type { Schemas } from '@shared/api'

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

/** 礼包状态 as the list filters them. */
export const PACK_STATUS: Record<string, { label: string; type: TagType }> = {
  active: { label: '有效', type: 'success' },
  expired: { label: '已过期', type: 'info' },
  inactive: { label: '已停用', type: 'warning' },
}

export const REDEEM_MODES: Record<string, string> = { whole: '整包兑换', per_item: '逐项兑换' }

/** The tag colour of an issued pack (a code): redeemed, partly redeemed, expired, void or waiting. */
export function ISSUED_TYPE(p: Pick<Schemas['Issued'], 'status' | 'expired'>): TagType {
  if (p.status === 'redeemed') return 'success'
  if (p.expired || p.status === 'void') return 'info'
  if (p.status === 'partial') return 'warning'
  return 'primary'
}
