/**
 * 产品推荐: the link an agent shares for a product or the mall. It opens the owner's H5 mall (the
 * tenant's root, `#/mall`) with the agent's public referral code as `ref`; the owner H5 keeps the code
 * (shared/referral.ts) and the order carries it, so a customer without a promoter pays this agent's
 * chain. `ownerLink` is the server's owner link (`{root}#/login?ref=CODE`, network/my-referral).
 */
export function shareLink(ownerLink: string, code: string, productId?: number): string {
  const root = ownerLink.split('#')[0]
  const query = new URLSearchParams()
  if (productId !== undefined) query.set('product', String(productId))
  query.set('ref', code)
  return `${root}#/mall?${query.toString()}`
}
