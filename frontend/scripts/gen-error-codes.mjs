// Writes src/shared/errorCodes.ts from openapi.json's ErrorCode enum (core/error_codes.py on the
// server): the front end names error codes through these constants, never as string literals.
// Run by `npm run gen:api` (make schema), after openapi-typescript.
import { readFileSync, writeFileSync } from 'node:fs'

const schema = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'))
const codes = schema.components.schemas.ErrorCode.enum
const lines = codes.map((code) => `  ${code}: '${code}',`).join('\n')
const out = `// Generated from openapi.json (components.schemas.ErrorCode) by \`npm run gen:api\`. Do not edit.
import type { components } from './api-types'

/** Every \`code\` a failed API call can carry (server: core/error_codes.py). */
export type ErrorCode = components['schemas']['ErrorCode']

/** The codes by name, e.g. \`ErrorCode.slot_full\`: compare \`ApiError.code\` with these. */
export const ErrorCode = {
${lines}
} as const satisfies { readonly [K in ErrorCode]: K }
`
writeFileSync(new URL('../src/shared/errorCodes.ts', import.meta.url), out)
