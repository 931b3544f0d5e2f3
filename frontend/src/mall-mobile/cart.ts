import { computed, ref } from 'vue'
import type { MallProduct } from './mallApi'

/** One line of the cart: what the owner saw when adding it (the server prices the order again). */
export interface CartLine {
  product: number
  name: string
  price: string
  image: string
  kind: string
  /** goods: the stock when added (null: not counted) */
  stock: number | null
  quantity: number
}

const MAX_QUANTITY = 99

/** The cart lives in this browser, one per tenant host (each tenant's H5 is its own site). */
export function cartKey(host: string = window.location.host): string {
  return `sxb.cart.${host}`
}

function read(key: string): CartLine[] {
  try {
    const raw = JSON.parse(window.localStorage.getItem(key) ?? '[]')
    return Array.isArray(raw) ? raw.filter((l) => typeof l?.product === 'number' && l.quantity > 0) : []
  } catch {
    return []
  }
}

const lines = ref<CartLine[]>([])
let loadedKey = ''

function persist() {
  window.localStorage.setItem(loadedKey, JSON.stringify(lines.value))
}

export function useCart() {
  const key = cartKey()
  if (key !== loadedKey) {
    loadedKey = key
    lines.value = read(key)
  }
  const count = computed(() => lines.value.reduce((n, l) => n + l.quantity, 0))
  const total = computed(() => lines.value.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0))

  function limit(line: Pick<CartLine, 'kind' | 'stock'>): number {
    return line.kind === 'goods' && line.stock !== null ? Math.min(MAX_QUANTITY, line.stock) : MAX_QUANTITY
  }

  function add(p: MallProduct, quantity = 1) {
    const line = lines.value.find((l) => l.product === p.id)
    const stock = p.kind === 'service' ? null : (p.stock ?? null)
    if (line) {
      line.stock = stock
      line.quantity = Math.min(line.quantity + quantity, limit(line))
    } else {
      const fresh: CartLine = { product: p.id, name: p.name, price: p.actual_price, image: p.image_h5_url, kind: p.kind ?? 'goods', stock, quantity }
      fresh.quantity = Math.min(quantity, limit(fresh))
      lines.value.push(fresh)
    }
    persist()
  }

  function setQuantity(product: number, quantity: number) {
    const line = lines.value.find((l) => l.product === product)
    if (!line) return
    if (quantity <= 0) return remove(product)
    line.quantity = Math.min(Math.floor(quantity), limit(line))
    persist()
  }

  function remove(product: number) {
    lines.value = lines.value.filter((l) => l.product !== product)
    persist()
  }

  function clear() {
    lines.value = []
    persist()
  }

  return { lines, count, total, add, setQuantity, remove, clear, limit }
}
