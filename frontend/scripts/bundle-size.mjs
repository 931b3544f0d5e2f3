#!/usr/bin/env node
// First-load size of each built entry (owner H5, agent app, console): the files its HTML makes the
// browser fetch before anything is shown — the entry script, every <link rel="modulepreload"> and
// every stylesheet — each gzipped at level 9 as a server would send it. Lazy route chunks are not
// counted. Usage: node scripts/bundle-size.mjs [dist] [--json]   (run `npm run build` first)
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const args = process.argv.slice(2)
const dist = args.find((a) => !a.startsWith('--')) ?? 'dist'
const asJson = args.includes('--json')
const ENTRIES = ['owner', 'agent', 'console']
// Goals from issue 22: the H5 within 120 KB, the console within 200 KB (gzipped JS + CSS).
const GOALS = { owner: 120, console: 200 }

function assetsOf(html) {
  const urls = new Set()
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) urls.add(m[1])
  for (const m of html.matchAll(/<link[^>]*rel="(?:modulepreload|stylesheet)"[^>]*href="([^"]+)"/g)) urls.add(m[1])
  for (const m of html.matchAll(/<link[^>]*href="([^"]+)"[^>]*rel="(?:modulepreload|stylesheet)"/g)) urls.add(m[1])
  return [...urls]
}

const kb = (n) => Math.round((n / 1024) * 10) / 10
const report = {}
for (const entry of ENTRIES) {
  const htmlPath = join(dist, `${entry}.html`)
  if (!existsSync(htmlPath)) throw new Error(`${htmlPath} not found: run npm run build first`)
  const files = assetsOf(readFileSync(htmlPath, 'utf8')).map((url) => {
    const path = join(dist, url.replace(/^\/static\/app\//, ''))
    const raw = readFileSync(path)
    return { file: url.split('/').pop(), kind: url.endsWith('.css') ? 'css' : 'js', raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length }
  })
  const sum = (kind) => files.filter((f) => !kind || f.kind === kind).reduce((s, f) => s + f.gzip, 0)
  report[entry] = { js_gzip_kb: kb(sum('js')), css_gzip_kb: kb(sum('css')), total_gzip_kb: kb(sum()), goal_kb: GOALS[entry] ?? null, files }
}

if (asJson) {
  console.log(JSON.stringify(report, null, 2))
} else {
  for (const [entry, r] of Object.entries(report)) {
    const goal = r.goal_kb ? ` (goal ≤ ${r.goal_kb} KB: ${r.total_gzip_kb <= r.goal_kb ? 'met' : 'NOT met'})` : ''
    console.log(`${entry.padEnd(8)} first load ${String(r.total_gzip_kb).padStart(6)} KB gzipped = JS ${r.js_gzip_kb} + CSS ${r.css_gzip_kb}${goal}`)
    for (const f of r.files.sort((a, b) => b.gzip - a.gzip)) console.log(`           ${String(kb(f.gzip)).padStart(6)} KB  ${f.file}`)
  }
}
