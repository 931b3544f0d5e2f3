import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { amount, daysUntil, decimalString, formatDate, formatDateTime, fromCents, money, toCents } from './format'

describe('money', () => {
  it('writes yuan with two decimals and thousands separators', () => {
    expect(money('2026.17')).toBe('¥2,026.17')
    expect(money('1234567.8')).toBe('¥1,234,567.80')
    expect(money(0)).toBe('¥0.00')
    expect(money('387')).toBe('¥387.00')
    expect(money('999.999')).toBe('¥1,000.00')
    expect(money('1.005')).toBe('¥1.01') // half-up on the digits, not a float's 1.00499…
  })
  it('puts a real minus sign before the currency', () => {
    expect(money('-16.4')).toBe('−¥16.40')
    expect(money(-1234.5)).toBe('−¥1,234.50')
    expect(money('-0.001')).toBe('¥0.00')
  })
  it('shows a dash for nothing', () => {
    expect(money(null)).toBe('—')
    expect(money(undefined)).toBe('—')
    expect(money('')).toBe('—')
    expect(money('abc')).toBe('—')
  })
  it('has an amount without the currency and request decimals', () => {
    expect(amount('2026.1')).toBe('2,026.10')
    expect(decimalString(0.85)).toBe('0.85')
  })
})

describe('dates', () => {
  it('keeps API dates and writes times in local time', () => {
    expect(formatDate('2026-03-01')).toBe('2026-03-01')
    expect(formatDate(null)).toBe('—')
    const local = new Date(2026, 2, 1, 9, 5)
    expect(formatDateTime(local)).toBe('2026-03-01 09:05')
    expect(formatDateTime(local.toISOString())).toBe('2026-03-01 09:05')
  })
  it('counts days to a date', () => {
    expect(daysUntil('2026-12-31', '2026-12-06')).toBe(25)
    expect(daysUntil('2026-12-01', '2026-12-06')).toBe(-5)
  })
})

/** The files under `dir` whose path `keep` accepts. */
function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return filesUnder(path, keep)
    return keep(path) ? [path] : []
  })
}

describe('cents', () => {
  it('reads an amount on its digits, half-up, never through a float', () => {
    // 1.005 * 100 is 100.49999… as a float: Math.round gave 100 cents
    expect(toCents('1.005')).toBe(101)
    expect(toCents('2026.17')).toBe(202617)
    expect(toCents('-16.4')).toBe(-1640)
    expect(toCents('')).toBe(0)
    expect(toCents('abc')).toBe(0)
  })
  it('writes cents back as a decimal string, and sums stay exact', () => {
    expect(fromCents(202617)).toBe('2026.17')
    expect(fromCents(-1640)).toBe('-16.40')
    expect(fromCents(5)).toBe('0.05')
    expect(fromCents(0)).toBe('0.00')
    // 0.1 + 0.2 as floats is 0.30000000000000004
    expect(fromCents(toCents('0.1') + toCents('0.2'))).toBe('0.30')
    expect(fromCents(toCents('1380.00') - toCents('1625.50'))).toBe('-245.50')
  })
})

describe('no hand-made money', () => {
  // every .vue file under src, and the console's .ts modules (not their tests): money is written
  // by format.ts (money, amount, decimalString), so a bare toFixed(2) is a bug
  it('finds no toFixed(2) in any .vue file or console module', () => {
    const src = join(__dirname, '..')
    const files = [
      ...filesUnder(src, (path) => path.endsWith('.vue')),
      ...filesUnder(join(src, 'console'), (path) => path.endsWith('.ts') && !path.endsWith('.test.ts')),
    ]
    expect(files.some((f) => f.endsWith('ServiceOrderView.ts'))).toBe(true)
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(src, file)}:${i + 1}` }))
        .filter(({ line }) => /\.toFixed\(\s*2\s*\)/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    )
    expect(offenders).toEqual([])
  })
})
