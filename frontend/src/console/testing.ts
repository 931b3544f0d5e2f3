// Shared by the console's page tests: fake API answers and DOM lookups by data-testid.
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, vi } from 'vitest'
import { type Component, defineComponent, h } from 'vue'
import { createMemoryHistory } from 'vue-router'
import { createShell } from '@shared/shell'
import { CONSOLE } from './context'

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** A DRF page of results. */
export const page = (results: unknown[]) => ({ count: results.length, next: null, previous: null, results })

/** The hooks every page test wants: local and session storage and the document emptied before each test; after it, `after`
 * (unmount what it mounted), then the stubbed fetch and any fake timers undone. */
export function resetBetweenTests(after: () => void = () => {}) {
  beforeEach(() => {
    window.localStorage.clear()
    window.sessionStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    after()
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })
}

/** One test's own answer to a call (undefined: not this one). */
export type Answer = (req: Request, url: URL) => Response | undefined | Promise<Response | undefined>

export const notFound = () => json(404, { code: 'not_found', message: '未找到', fields: {} })

/**
 * A page's API as its tests see it: `fakeApi(defaults)` is a `fakeServer(answer?)` whose fetch mock asks
 * the test's `answer` first, then the page's `defaults`, and says 404 to anything else.
 */
export function fakeApi(defaults: Answer) {
  return (answer: Answer = () => undefined) =>
    vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      return (await answer(req, url)) ?? (await defaults(req, url)) ?? notFound()
    })
}

export const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!
export const allByTestId = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)]

/** Type ``value`` into the input (or textarea) that is, or is inside, ``target`` (a test id or an element). */
export async function fill(target: string | HTMLElement, value: string, event = 'input') {
  const el = typeof target === 'string' ? byTestId(target) : target
  const input = (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' ? el : el.querySelector('input, textarea')) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event(event))
  await flushPromises()
}

/** The error Element Plus shows under the form item holding ``id``. */
export const errorNextTo = (id: string) =>
  byTestId(id).closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim()

/** Element Plus shows a form item's error after a 100 ms debounce. */
export const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
}

/**
 * Stand-ins for Element Plus' date picker (~0.2 s to mount each in happy-dom), speaking the same
 * v-model. One day: a box holding YYYY-MM-DD (or null when empty).
 */
export const DateStub = defineComponent({
  props: { modelValue: { type: null, default: null } },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    return () =>
      h('input', {
        value: typeof props.modelValue === 'string' ? props.modelValue : '',
        onInput: (e: Event) => emit('update:modelValue', (e.target as HTMLInputElement).value || null),
      })
  },
})

/** A range: "2026-11-01~2026-11-30" in, ['2026-11-01', '2026-11-30'] out (and `change`, like the picker). */
export const DateRangeStub = defineComponent({
  props: { modelValue: { type: null, default: null } },
  emits: ['update:modelValue', 'change'],
  setup(props, { emit, attrs }) {
    return () =>
      h('input', {
        'data-testid': attrs['data-testid'],
        value: Array.isArray(props.modelValue) ? props.modelValue.join('~') : '',
        onChange: (e: Event) => {
          const raw = (e.target as HTMLInputElement).value
          const value = raw ? raw.split('~') : null
          emit('update:modelValue', value)
          emit('change', value)
        },
      })
  },
})

/** Furuika's admin, signed in on its own host: the user most tenant-console pages are tested as. */
export const FURUIKA_ADMIN = {
  id: 2,
  mobile: '13800003001',
  name: '何福瑞',
  roles: ['tenant_admin'],
  scope: { kind: 'tenant' as const, schema_name: 'furuika', name: '福瑞卡' },
}

/** A 大唐经纪 staff member with ``roles``, signed in on its host. */
export const datangStaff = (roles: string[], name = '管理员') => ({
  id: 1,
  mobile: '13600136000',
  name,
  roles,
  scope: { kind: 'tenant' as const, schema_name: 'datang', name: '大唐经纪' },
})

/** Mount ``page`` in the console's shell (a stand-in sign-in page beside it) as ``me``, attached to the document; settled. */
export async function mountConsolePage(page: Component, me = FURUIKA_ADMIN, stubs: Record<string, unknown> = {}) {
  const { router, session, brand } = createShell(
    'console',
    [
      { path: '/login', name: 'login', component: { template: '<div />' }, meta: { public: true } },
      { path: '/', name: 'page', component: page },
    ],
    createMemoryHistory(),
  )
  session.me.value = me
  const wrapper = mount(page, {
    attachTo: document.body,
    global: {
      plugins: [router],
      provide: { [CONSOLE as symbol]: { session, brand } },
      stubs: { transition: false, 'transition-group': false, ...stubs },
    },
  })
  await settle()
  return wrapper
}
