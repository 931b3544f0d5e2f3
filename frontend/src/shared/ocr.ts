import { ApiError, type AppName, type Schemas, unwrap } from './api'
import { type RealtimeHandler, subscribeRealtime } from './realtime'
import type { Session } from './session'

/** 拍照识别: a photo of a 行驶证 or 身份证 goes to the server, the Celery worker reads it, and the page
 * gets each field with its confidence and check. Flagged fields (a failed check, or not clear enough)
 * are filled in as read and shown for the user to confirm: never corrected here either. */
export type OcrKind = Schemas['OcrJob']['kind']
export type OcrJob = Schemas['OcrJob']
export type Reading = Schemas['Reading']

export const MAX_PHOTO_BYTES = 8 * 1024 * 1024

/** A reading's field in a form: the form key it fills and, for 使用性质, the value it becomes. */
const VEHICLE_TARGETS: Record<string, string> = {
  plate: 'plate',
  vin: 'vin',
  engine_no: 'engine_no',
  brand_model: 'brand_model',
  registered_on: 'first_registered_on',
}
const ID_CARD_TARGETS: Record<string, string> = { name: 'name', id_number: 'id_number' }

export interface Filled {
  /** form key -> value read */
  values: Record<string, string>
  /** form key -> why it needs a look (only for the flagged ones) */
  flagged: Record<string, string>
  /** the card's owner (所有人 or 姓名), for a new customer's name */
  holder: string
  /** the photo read, kept in the page only (for 保存证件照片, when the user asks for it) */
  photo?: Blob
}

/** What a finished job puts in a form. ``targets`` maps the reading keys to the form's keys
 * (defaults: the vehicle form for a 行驶证, name and id_number for a 身份证). */
export function fillFrom(job: OcrJob, targets?: Record<string, string>): Filled {
  const map = targets ?? (job.kind === 'vehicle_licence' ? VEHICLE_TARGETS : ID_CARD_TARGETS)
  const out: Filled = { values: {}, flagged: {}, holder: '' }
  for (const r of job.readings) {
    if (r.key === 'owner' || (job.kind === 'id_card' && r.key === 'name')) out.holder = r.value
    const target = map[r.key]
    if (!target || !r.value) {
      if (target) out.flagged[target] = `${r.label}：${r.problem || '未识别到'}`
      continue
    }
    out.values[target] = r.value
    if (r.flagged) out.flagged[target] = `请核对${r.label}：${r.problem}`
  }
  return out
}

/** The photo checked before it is sent (the server checks again, by its bytes). */
export function photoProblem(file: File): string {
  if (!['image/jpeg', 'image/png', 'image/webp'].includes(file.type)) return '只支持 JPEG、PNG、WEBP 格式的照片'
  if (file.size > MAX_PHOTO_BYTES) return '照片不能超过 8 MB'
  return ''
}

export interface Deps {
  /** POST the form to the kind's endpoint; resolves with the pending job (rejects with an ApiError) */
  send: (kind: OcrKind, form: FormData) => Promise<OcrJob>
  /** GET ocr/jobs/<id>/ */
  fetchJob: (id: string) => Promise<OcrJob>
  subscribe: (onEvent: RealtimeHandler, app: AppName) => () => void
  setTimeout: (fn: () => void, ms: number) => unknown
}

type Client = Session['client']

/** The calls through the app's API client (bearer token, renewal on 401). */
export function clientDeps(client: Client): Deps {
  return {
    send: (kind, form) =>
      kind === 'vehicle_licence'
        ? unwrap(client.POST('/api/v1/ocr/vehicle-licence/', { body: {} as never, bodySerializer: () => form }))
        : unwrap(client.POST('/api/v1/ocr/id-card/', { body: {} as never, bodySerializer: () => form })),
    fetchJob: (id) => unwrap(client.GET('/api/v1/ocr/jobs/{job_id}/', { params: { path: { job_id: id } } })),
    subscribe: subscribeRealtime,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  }
}

/** Send the photo and wait for the worker: whichever comes first of the realtime ``ocr.done`` push
 * and a poll every ``pollMs``; gives up after ``timeoutMs``. Throws an ApiError on a refusal. */
export async function readDocument(
  app: AppName,
  kind: OcrKind,
  file: Blob,
  deps: Deps,
  { pollMs = 1500, timeoutMs = 60000, now = () => Date.now() } = {},
): Promise<OcrJob> {
  const form = new FormData()
  form.append('image', file, (file as File).name || 'photo.jpg')
  const { id } = await deps.send(kind, form)

  return new Promise<OcrJob>((resolve, reject) => {
    let settled = false
    const started = now()
    const stop = deps.subscribe((event, data) => {
      if (event === 'ocr.done' && data?.id === id) void check()
    }, app)
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      stop()
      fn()
    }
    async function check(): Promise<boolean> {
      try {
        const job = await deps.fetchJob(id)
        if (job.status === 'pending') return false
        finish(() => resolve(job))
      } catch (e) {
        if (e instanceof ApiError && e.status > 0) finish(() => reject(e)) // refused: expired, not yours
        else return false // a dropped request: the next poll tries again
      }
      return true
    }
    async function poll() {
      if (settled || (await check())) return
      if (now() - started > timeoutMs) finish(() => reject(new ApiError(0, 'timeout', '识别超时，请重试或手动填写')))
      else deps.setTimeout(() => void poll(), pollMs)
    }
    deps.setTimeout(() => void poll(), pollMs)
  })
}

/** Put what was read into ``form`` (only the keys it has) and return the flagged ones as field
 * messages under ``prefix`` (e.g. "vehicles.0."), for the form to show like its errors. */
export function applyFilled(form: Record<string, string>, filled: Filled, prefix = ''): Record<string, string> {
  for (const [key, value] of Object.entries(filled.values)) if (key in form) form[key] = value
  const marks: Record<string, string> = {}
  for (const [key, message] of Object.entries(filled.flagged)) if (key in form) marks[prefix + key] = message
  return marks
}

/** The multipart body of POST …/documents/: keeps a photo the user chose to attach (证件照片). */
export function documentForm(kind: OcrKind, photo: Blob, vehicle?: number | null): FormData {
  const form = new FormData()
  form.append('kind', kind)
  form.append('image', photo, (photo as File).name || 'photo.jpg')
  if (vehicle) form.append('vehicle', String(vehicle))
  return form
}
