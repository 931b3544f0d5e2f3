import { describe, expect, it } from 'vitest'
import { ApiError } from './api'
import type { RealtimeData } from './realtime'
import { applyFilled, type Deps, documentForm, fillFrom, type OcrJob, photoProblem, readDocument } from './ocr'

const reading = (key: string, label: string, value: string, flagged = false, problem = '') => ({
  key,
  label,
  value,
  confidence: flagged ? 0.6 : 0.99,
  flagged,
  problem,
})

const licence: OcrJob = {
  id: 'a'.repeat(32),
  kind: 'vehicle_licence',
  status: 'done',
  error: '',
  readings: [
    reading('plate', '号牌号码', '粤B2088Z'),
    reading('vehicle_type', '车辆类型', '小型轿车'),
    reading('owner', '所有人', '张三丰'),
    reading('brand_model', '品牌型号', '大众汽车牌FV7152'),
    reading('vin', '车辆识别代号', 'LFV2A21K3D4123456', true, '车架号（VIN）第9位校验位不正确'),
    reading('engine_no', '发动机号码', '', true, '未识别到，请手动填写'),
    reading('registered_on', '注册日期', '2013-05-20'),
  ],
}

describe('fillFrom / applyFilled', () => {
  it('fills the vehicle form with what was read, flagged values included as read, and marks them', () => {
    const filled = fillFrom(licence)
    expect(filled.values).toEqual({
      plate: '粤B2088Z',
      brand_model: '大众汽车牌FV7152',
      vin: 'LFV2A21K3D4123456', // not corrected: the user sees it marked
      first_registered_on: '2013-05-20',
    })
    expect(filled.flagged).toEqual({
      vin: '请核对车辆识别代号：车架号（VIN）第9位校验位不正确',
      engine_no: '发动机号码：未识别到，请手动填写',
    })
    expect(filled.holder).toBe('张三丰')

    const form = { plate: '', vin: '', engine_no: 'OLD', first_registered_on: '' }
    const marks = applyFilled(form, filled, 'vehicles.0.')
    expect(form).toEqual({ plate: '粤B2088Z', vin: 'LFV2A21K3D4123456', engine_no: 'OLD', first_registered_on: '2013-05-20' })
    expect(Object.keys(marks)).toEqual(['vehicles.0.vin', 'vehicles.0.engine_no'])
  })

  it('an ID card fills name and id_number', () => {
    const job: OcrJob = {
      ...licence,
      kind: 'id_card',
      readings: [reading('name', '姓名', '李小梅'), reading('sex', '性别', '女'), reading('id_number', '公民身份号码', '110101198512310023')],
    }
    const form = { name: '', mobile: '', id_number: '' }
    expect(applyFilled(form, fillFrom(job))).toEqual({})
    expect(form).toEqual({ name: '李小梅', mobile: '', id_number: '110101198512310023' })
  })

  it('refuses a GIF or a photo over 8 MB before sending it', () => {
    expect(photoProblem(new File(['x'], 'a.gif', { type: 'image/gif' }))).toBe('只支持 JPEG、PNG、WEBP 格式的照片')
    const big = new File([new Uint8Array(8 * 1024 * 1024 + 1)], 'a.jpg', { type: 'image/jpeg' })
    expect(photoProblem(big)).toBe('照片不能超过 8 MB')
    expect(photoProblem(new File(['x'], 'a.webp', { type: 'image/webp' }))).toBe('')
  })
})

function fakeDeps(answers: (OcrJob | ApiError)[]) {
  const timers: (() => void)[] = []
  let handler: ((event: string, data: RealtimeData) => void) | null = null
  const sent: string[] = []
  let unsubscribed = 0
  const deps: Deps = {
    send: async (kind, form) => {
      sent.push(`${kind}:${(form.get('image') as File).name}`)
      return { ...licence, status: 'pending', readings: [] }
    },
    fetchJob: async () => {
      const next = answers.shift()!
      if (next instanceof ApiError) throw next
      return next
    },
    subscribe: (fn) => {
      handler = fn
      return () => (unsubscribed += 1)
    },
    setTimeout: (fn) => timers.push(fn),
  }
  const flush = () => new Promise((r) => setTimeout(r, 0))
  return { deps, timers, sent, push: (e: string, d: RealtimeData) => handler?.(e, d), flush, unsubscribed: () => unsubscribed }
}

describe('readDocument', () => {
  const photo = new File(['x'], 'licence.jpg', { type: 'image/jpeg' })
  const pending = { ...licence, status: 'pending' as const, readings: [] }

  it('reads the result as soon as the ocr.done push for its job arrives', async () => {
    const fake = fakeDeps([licence])
    const result = readDocument('agent', 'vehicle_licence', photo, fake.deps)
    await fake.flush()
    fake.push('ocr.done', { id: 'b'.repeat(32), status: 'done' }) // another job: ignored
    fake.push('ocr.done', { id: licence.id, status: 'done' })
    expect(await result).toEqual(licence)
    expect(fake.sent).toEqual(['vehicle_licence:licence.jpg'])
    expect(fake.unsubscribed()).toBe(1)
  })

  it('without a push, polls until the job is no longer pending', async () => {
    const fake = fakeDeps([pending, licence])
    const result = readDocument('owner', 'vehicle_licence', photo, fake.deps)
    await fake.flush()
    fake.timers.shift()!()
    await fake.flush()
    fake.timers.shift()!()
    expect(await result).toEqual(licence)
  })

  it('a refused poll (the job is not yours or expired) rejects with the server error', async () => {
    const fake = fakeDeps([new ApiError(404, 'not_found', '识别任务不存在或已过期')])
    const result = readDocument('agent', 'id_card', photo, fake.deps)
    await fake.flush()
    fake.timers.shift()!()
    await expect(result).rejects.toMatchObject({ status: 404, message: '识别任务不存在或已过期' })
  })

  it('gives up after the timeout', async () => {
    let clock = 0
    const fake = fakeDeps([pending, pending])
    const result = readDocument('agent', 'vehicle_licence', photo, fake.deps, { timeoutMs: 1000, now: () => clock })
    await fake.flush()
    fake.timers.shift()!()
    await fake.flush()
    clock = 2000
    fake.timers.shift()!()
    await expect(result).rejects.toMatchObject({ code: 'timeout' })
  })
})

describe('documentForm', () => {
  it('names the kind, the photo and the vehicle it belongs to (only for a licence with one)', () => {
    const photo = new File(['x'], 'licence.jpg', { type: 'image/jpeg' })
    const form = documentForm('vehicle_licence', photo, 42)
    expect(form.get('kind')).toBe('vehicle_licence')
    expect((form.get('image') as File).name).toBe('licence.jpg')
    expect(form.get('vehicle')).toBe('42')
    expect(documentForm('id_card', photo, null).has('vehicle')).toBe(false)
  })
})
