import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, ref } from 'vue'
import DateField from './DateField.vue'

// a parent holding the value the way the forms do: a 'YYYY-MM-DD' string, '' (or null) when empty
function mountWith(initial: string | null, props: Record<string, unknown> = {}) {
  const value = ref<string | null>(initial)
  const Parent = defineComponent({
    components: { DateField },
    setup: () => ({ value, props }),
    template: '<DateField v-model="value" testid="when" label="到期" v-bind="props" />',
  })
  const wrapper = mount(Parent, { attachTo: document.body })
  return { wrapper, value }
}

const shown = () => document.querySelector<HTMLInputElement>('input[data-testid="when"]')!
const popup = () => document.querySelector<HTMLElement>('[data-testid="when-picker"]')
const columns = () => [...popup()!.querySelectorAll<HTMLElement>('.van-picker-column')]
const option = (column: number, text: string) =>
  [...columns()[column].querySelectorAll<HTMLElement>('.van-picker-column__item')].find((li) => li.textContent?.trim() === text)!

async function open() {
  shown().click()
  await vi.waitFor(() => expect(columns()).toHaveLength(3))
}

async function press(selector: string) {
  popup()!.querySelector<HTMLElement>(selector)!.click()
  await flushPromises()
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('DateField', () => {
  it('shows the value read-only and opens the picker on that date', async () => {
    const { wrapper } = mountWith('2025-03-09', { minYears: -5, maxYears: 3 })
    expect(shown().value).toBe('2025-03-09')
    expect(shown().readOnly).toBe(true)
    expect(popup()?.style.display ?? 'none').toBe('none')
    await open()
    const selected = columns().map((c) => c.querySelector('.van-picker-column__item--selected')?.textContent?.trim())
    expect(selected).toEqual(['2025', '03', '09'])
    wrapper.unmount()
  })

  it('确认 sets the picked date as YYYY-MM-DD', async () => {
    const { wrapper, value } = mountWith('', { minYears: -5, maxYears: 3 })
    await open()
    const year = String(new Date().getFullYear() + 1)
    option(0, year).click()
    option(1, '02').click()
    option(2, '07').click()
    await flushPromises()
    await press('.van-picker__confirm')
    expect(value.value).toBe(`${year}-02-07`)
    await vi.waitFor(() => expect(shown().value).toBe(`${year}-02-07`))
    wrapper.unmount()
  })

  it('取消 keeps the old value', async () => {
    const { wrapper, value } = mountWith('2024-11-30', { minYears: -5, maxYears: 3 })
    await open()
    option(1, '01').click()
    await flushPromises()
    await press('.van-picker__cancel')
    expect(value.value).toBe('2024-11-30')
    expect(shown().value).toBe('2024-11-30')
    wrapper.unmount()
  })

  it('clears an optional date to the empty value the forms use', async () => {
    const { wrapper, value } = mountWith('2024-11-30')
    await open()
    await press('[data-testid="when-clear"]')
    expect(value.value).toBe('')
    await vi.waitFor(() => expect(shown().value).toBe(''))
    wrapper.unmount()
  })

  it('shows null as empty, with nothing to clear', async () => {
    const { wrapper } = mountWith(null)
    expect(shown().value).toBe('')
    await open()
    expect(popup()!.querySelector('[data-testid="when-clear"]')).toBeNull()
    wrapper.unmount()
  })

  it('offers no clear action on a required date', async () => {
    const { wrapper } = mountWith('2024-11-30', { required: true })
    await open()
    expect(popup()!.querySelector('[data-testid="when-clear"]')).toBeNull()
    wrapper.unmount()
  })
})
