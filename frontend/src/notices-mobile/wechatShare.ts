/**
 * Sharing a referral link from inside WeChat: the page asks the server for the JS-SDK signature of
 * its own address (`/api/v1/wechat/jssdk/`), loads WeChat's jweixin script once, and sets what the
 * 「…」 menu shares (to a friend and to 朋友圈). Outside WeChat nothing is loaded.
 */

export const JSSDK_SRC = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js'
export const SHARE_APIS = ['updateAppMessageShareData', 'updateTimelineShareData'] as const

export interface JsSdkSignature {
  app_id: string
  timestamp: number
  nonce_str: string
  signature: string
}

export interface WxConfig {
  debug: boolean
  appId: string
  timestamp: number
  nonceStr: string
  signature: string
  jsApiList: string[]
}

export interface ShareContent {
  title: string
  desc: string
  link: string
  imgUrl: string
}

/** What this page uses of the `wx` object jweixin defines. */
export interface WxLike {
  config(config: WxConfig): void
  ready(fn: () => void): void
  error(fn: (res: { errMsg?: string }) => void): void
  updateAppMessageShareData(data: ShareContent & { success?: () => void }): void
  updateTimelineShareData(data: Omit<ShareContent, 'desc'> & { success?: () => void }): void
}

/** Inside WeChat's browser (its user agent says MicroMessenger). */
export function isWeChat(userAgent: string): boolean {
  return /MicroMessenger/i.test(userAgent)
}

/** The address WeChat signs: the page's URL without its #fragment (the H5 routes by hash). */
export function signedUrl(href: string): string {
  return href.split('#')[0]
}

export function wxConfig(sig: JsSdkSignature): WxConfig {
  return {
    debug: false,
    appId: sig.app_id,
    timestamp: sig.timestamp,
    nonceStr: sig.nonce_str,
    signature: sig.signature,
    jsApiList: [...SHARE_APIS],
  }
}

let loading: Promise<WxLike> | null = null

interface ScriptTag {
  src: string
  async: boolean
  onload: ((ev: Event) => unknown) | null
  onerror: OnErrorEventHandler | ((ev: Event) => unknown)
}

/** What loading the script needs of the document (a stand-in in unit tests: no network there). */
export interface ScriptHost {
  createElement(tag: 'script'): ScriptTag
  // the real document's appendChild takes a DOM Node, the tests' stand-in a plain script record
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  head: { appendChild(node: any): unknown }
}

/** Add jweixin's script to the page once; resolves with `window.wx`. */
export function loadJsSdk(doc: ScriptHost = document, win: { wx?: WxLike } = window as { wx?: WxLike }): Promise<WxLike> {
  if (win.wx) return Promise.resolve(win.wx)
  if (!loading) {
    loading = new Promise<WxLike>((resolve, reject) => {
      const script = doc.createElement('script')
      script.src = JSSDK_SRC
      script.async = true
      script.onload = () => (win.wx ? resolve(win.wx) : reject(new Error('微信 JS-SDK 加载失败')))
      script.onerror = () => {
        loading = null
        reject(new Error('微信 JS-SDK 加载失败'))
      }
      doc.head.appendChild(script)
    })
  }
  return loading
}

export interface ShareDeps {
  userAgent: string
  href: string
  fetchSignature: (url: string) => Promise<JsSdkSignature>
  load: () => Promise<WxLike>
}

/**
 * Configure WeChat's share menu with `content`. Returns false outside WeChat (nothing is fetched or
 * loaded); rejects when the signature is refused (wx.error) so the page can say so.
 */
export async function setupWeChatShare(content: ShareContent, deps: ShareDeps): Promise<boolean> {
  if (!isWeChat(deps.userAgent)) return false
  const sig = await deps.fetchSignature(signedUrl(deps.href))
  const wx = await deps.load()
  await new Promise<void>((resolve, reject) => {
    wx.ready(() => resolve())
    wx.error((res) => reject(new Error(res?.errMsg || '微信签名校验失败')))
    wx.config(wxConfig(sig))
  })
  wx.updateAppMessageShareData({ ...content })
  wx.updateTimelineShareData({ title: content.title, link: content.link, imgUrl: content.imgUrl })
  return true
}

/** What a referral share shows: the tenant's name and logo (absolute: WeChat fetches it), the code. */
export function referralShareContent(opts: {
  app: string
  brandName: string
  logoUrl: string
  origin: string
  code: string
  link: string
}): ShareContent {
  const name = opts.brandName || '速信保'
  const imgUrl = !opts.logoUrl || /^https?:\/\//.test(opts.logoUrl) ? opts.logoUrl : `${opts.origin}${opts.logoUrl.startsWith('/') ? '' : '/'}${opts.logoUrl}`
  if (opts.app === 'agent') {
    return { title: `${name} 邀请您成为代理人`, desc: `推荐码 ${opts.code}，注册后加入团队`, link: opts.link, imgUrl }
  }
  return { title: `${name} 好友推荐`, desc: `推荐码 ${opts.code}，注册即享车险报价与保养服务`, link: opts.link, imgUrl }
}
