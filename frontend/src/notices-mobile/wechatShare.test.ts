import { describe, expect, it, vi } from 'vitest'
import {
  isWeChat,
  JSSDK_SRC,
  loadJsSdk,
  referralShareContent,
  setupWeChatShare,
  signedUrl,
  type WxLike,
  wxConfig,
} from './wechatShare'

const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN'
const SAFARI_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1'
const SIG = { app_id: 'wx1234567890abcdef', timestamp: 1764122400, nonce_str: '9f86d081884c7d65', signature: 'a1b2c3' }
const CONTENT = {
  title: '大唐经纪 邀请您成为代理人',
  desc: '推荐码 DT8K2M，注册后成为王海峰的下级',
  link: 'http://datang.localhost/agent/#/join?ref=DT8K2M',
  imgUrl: 'http://datang.localhost/media/logo.png',
}

function fakeWx(outcome: 'ready' | 'error' = 'ready') {
  let onReady = () => {}
  let onError: (res: { errMsg?: string }) => void = () => {}
  const wx = {
    config: vi.fn(() => (outcome === 'ready' ? onReady() : onError({ errMsg: 'config:invalid signature' }))),
    ready: vi.fn((fn: () => void) => (onReady = fn)),
    error: vi.fn((fn: (res: { errMsg?: string }) => void) => (onError = fn)),
    updateAppMessageShareData: vi.fn(),
    updateTimelineShareData: vi.fn(),
  }
  return wx
}

describe('WeChat share of the referral link', () => {
  it('knows WeChat by its user agent', () => {
    expect(isWeChat(WECHAT_UA)).toBe(true)
    expect(isWeChat(SAFARI_UA)).toBe(false)
  })

  it('signs the page address without its fragment', () => {
    expect(signedUrl('http://datang.localhost/agent/?from=singlemessage#/referral')).toBe(
      'http://datang.localhost/agent/?from=singlemessage',
    )
  })

  it('builds wx.config from the server signature with the two share APIs', () => {
    expect(wxConfig(SIG)).toEqual({
      debug: false,
      appId: 'wx1234567890abcdef',
      timestamp: 1764122400,
      nonceStr: '9f86d081884c7d65',
      signature: 'a1b2c3',
      jsApiList: ['updateAppMessageShareData', 'updateTimelineShareData'],
    })
  })

  it('inside WeChat asks for the signature of this page, configures wx and sets both shares', async () => {
    const wx = fakeWx()
    const fetchSignature = vi.fn(async () => SIG)
    const done = await setupWeChatShare(CONTENT, {
      userAgent: WECHAT_UA,
      href: 'http://datang.localhost/agent/#/referral',
      fetchSignature,
      load: async () => wx as WxLike,
    })
    expect(done).toBe(true)
    expect(fetchSignature).toHaveBeenCalledWith('http://datang.localhost/agent/')
    expect(wx.config).toHaveBeenCalledWith(wxConfig(SIG))
    expect(wx.updateAppMessageShareData).toHaveBeenCalledWith(CONTENT)
    expect(wx.updateTimelineShareData).toHaveBeenCalledWith({
      title: CONTENT.title,
      link: CONTENT.link,
      imgUrl: CONTENT.imgUrl,
    })
  })

  it('outside WeChat fetches and loads nothing', async () => {
    const fetchSignature = vi.fn(async () => SIG)
    const load = vi.fn(async () => fakeWx() as WxLike)
    const done = await setupWeChatShare(CONTENT, { userAgent: SAFARI_UA, href: 'http://datang.localhost/', fetchSignature, load })
    expect(done).toBe(false)
    expect(fetchSignature).not.toHaveBeenCalled()
    expect(load).not.toHaveBeenCalled()
  })

  it('a refused signature rejects and shares nothing', async () => {
    const wx = fakeWx('error')
    await expect(
      setupWeChatShare(CONTENT, {
        userAgent: WECHAT_UA,
        href: 'http://datang.localhost/',
        fetchSignature: async () => SIG,
        load: async () => wx as WxLike,
      }),
    ).rejects.toThrow('config:invalid signature')
    expect(wx.updateAppMessageShareData).not.toHaveBeenCalled()
  })

  it('adds the jweixin script once and resolves with window.wx', async () => {
    const win: { wx?: WxLike } = {}
    const scripts: Array<{ src: string; async: boolean; onload: ((ev: Event) => unknown) | null; onerror: unknown }> = []
    const doc = {
      createElement: () => ({ src: '', async: false, onload: null, onerror: null }),
      head: { appendChild: (node: (typeof scripts)[number]) => scripts.push(node) },
    }
    const first = loadJsSdk(doc, win)
    const second = loadJsSdk(doc, win)
    expect(scripts.map((s) => [s.src, s.async])).toEqual([[JSSDK_SRC, true]])
    win.wx = fakeWx() as WxLike
    scripts[0].onload?.(new Event('load'))
    await expect(first).resolves.toBe(win.wx)
    await expect(second).resolves.toBe(win.wx)
  })

  it('shares the tenant name, an absolute logo and the referral code', () => {
    const base = { brandName: '大唐经纪', origin: 'http://datang.localhost', code: 'DT8K2M' }
    expect(
      referralShareContent({ ...base, app: 'agent', logoUrl: '/media/tenants/datang/logo.png', link: 'http://datang.localhost/agent/#/join?ref=DT8K2M' }),
    ).toEqual({
      title: '大唐经纪 邀请您成为代理人',
      desc: '推荐码 DT8K2M，注册后加入团队',
      link: 'http://datang.localhost/agent/#/join?ref=DT8K2M',
      imgUrl: 'http://datang.localhost/media/tenants/datang/logo.png',
    })
    const owner = referralShareContent({ ...base, app: 'owner', logoUrl: 'https://cdn.example.com/l.png', link: 'http://datang.localhost/#/login?ref=DT8K2M' })
    expect([owner.title, owner.imgUrl]).toEqual(['大唐经纪 好友推荐', 'https://cdn.example.com/l.png'])
  })
})
