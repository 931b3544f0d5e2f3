/**
 * The OAuth code WeChat came back with. WeChat puts `?code=` before the `#` of the redirect URI
 * (the H5 routes by hash), so it is in `location.search`; a code in the route's own query is taken
 * when there is none there.
 */
export function oauthCodeFrom(search: string, routeCode: unknown): string {
  const fromSearch = new URLSearchParams(search).get('code')
  if (fromSearch) return fromSearch
  return typeof routeCode === 'string' ? routeCode : ''
}

/**
 * The `state` WeChat came back with (next to `code`): the server checks it is the one it gave this
 * browser for this login, so a link carrying someone else's code logs no one in.
 */
export function oauthStateFrom(search: string, routeState: unknown): string {
  const fromSearch = new URLSearchParams(search).get('state')
  if (fromSearch) return fromSearch
  return typeof routeState === 'string' ? routeState : ''
}

/** Where WeChat's OAuth brings an agent back to after binding: this app's 消息设置 page. */
export function bindReturnUrl(origin: string, pathname: string): string {
  return `${origin}${pathname}#/messages/settings`
}

/**
 * The address without the OAuth answer (`code`, `state`), so a reload does not use the single-use
 * code again; other query parameters and the hash stay.
 */
export function withoutOAuthCode(pathname: string, search: string, hash: string): string {
  const params = new URLSearchParams(search)
  params.delete('code')
  params.delete('state')
  const query = params.toString()
  return `${pathname}${query ? `?${query}` : ''}${hash}`
}
