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
