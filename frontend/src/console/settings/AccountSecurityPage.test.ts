import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, RouterView } from 'vue-router'
import { createShell } from '@shared/shell'
import AccountSecurityPage from './AccountSecurityPage.vue'
import { CONSOLE } from '../context'
import { byTestId, json } from '../testing'

// jsdom has no canvas: the QR library's drawing is replaced by a recorder of what it was asked to draw
const drawn = vi.hoisted(() => [] as string[])
vi.mock('qrcode', () => ({
  default: {
    toDataURL: vi.fn(async (text: string) => {
      drawn.push(text)
      return 'data:image/png;base64,iVBORw0KGgo='
    }),
  },
}))

const URI = 'otpauth://totp/%E5%A4%A7%E5%94%90:13600136000?secret=JBSWY3DPEHPK3PXP&issuer=%E5%A4%A7%E5%94%90'

beforeEach(() => {
  window.localStorage.clear()
  document.body.innerHTML = ''
  drawn.length = 0
})
afterEach(() => vi.unstubAllGlobals())

describe('console: 账号安全', () => {
  it('shows the enrolment as a QR code of the otpauth URI, with the link and the secret beside it', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname
        if (path === '/api/v1/auth/totp/') return json(200, { enabled: false })
        if (path === '/api/v1/auth/totp/setup/') return json(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: URI })
        if (path === '/api/v1/account-locks/') return json(200, [])
        return json(404, { code: 'not_found', message: '未找到', fields: {} })
      }),
    )
    const { router, session, brand } = createShell(
      'console',
      [
        { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
        { path: '/', name: 'security', component: AccountSecurityPage },
      ],
      createMemoryHistory(),
    )
    session.me.value = { id: 1, mobile: '13600136000', name: '管理员', roles: ['tenant_admin'], scope: { kind: 'tenant', schema_name: 'datang', name: '大唐经纪' } } // prettier-ignore
    await router.push('/')
    mount(RouterView, {
      attachTo: document.body,
      global: { plugins: [router], provide: { [CONSOLE as symbol]: { session, brand } }, stubs: { transition: false } },
    })
    await flushPromises()
    byTestId('totp-start').click()
    await flushPromises()
    expect(drawn).toEqual([URI])
    expect((byTestId('totp-qr') as HTMLImageElement).src).toBe('data:image/png;base64,iVBORw0KGgo=')
    expect(byTestId('totp-secret').textContent).toBe('JBSWY3DPEHPK3PXP')
  })
})
