/**
 * Stripe.js, loaded from Stripe (it must never be bundled) only when an order is to be paid. Without
 * it (no network, a blocker) the order page still follows the order: payment is confirmed by
 * Stripe's webhook on the server, never by the page.
 */
export interface StripePaymentElement {
  mount(el: HTMLElement): void
  destroy(): void
}
export interface StripeElements {
  create(kind: 'payment', options?: Record<string, unknown>): StripePaymentElement
}
export interface StripeInstance {
  elements(options: { clientSecret: string; locale?: string }): StripeElements
  confirmPayment(options: {
    elements: StripeElements
    confirmParams: { return_url: string }
    redirect?: 'if_required'
  }): Promise<{ error?: { message?: string } }>
}
type StripeFactory = (publishableKey: string, options?: Record<string, unknown>) => StripeInstance

const SRC = 'https://js.stripe.com/v3/'
let loading: Promise<StripeFactory> | null = null

export function loadStripe(timeoutMs = 8000): Promise<StripeFactory> {
  const w = window as unknown as { Stripe?: StripeFactory }
  if (w.Stripe) return Promise.resolve(w.Stripe)
  if (loading) return loading
  loading = new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement('script')
    script.src = SRC
    script.async = true
    const timer = window.setTimeout(() => fail(new Error('支付组件加载超时')), timeoutMs)
    function fail(e: Error) {
      window.clearTimeout(timer)
      script.remove()
      loading = null
      reject(e)
    }
    script.onload = () => {
      window.clearTimeout(timer)
      if (w.Stripe) resolve(w.Stripe)
      else fail(new Error('支付组件不可用'))
    }
    script.onerror = () => fail(new Error('支付组件加载失败'))
    document.head.appendChild(script)
  })
  return loading
}
