import type { Schemas } from './api'

/** 使用性质 and energy labels, as the server names them (one list for the console and the phone). */
export const VEHICLE_USES: Record<Schemas['UseEnum'], string> = {
  family: '家庭自用汽车',
  enterprise: '企业非营业客车',
  government: '机关非营业客车',
  taxi_rental: '营业出租租赁',
  truck: '非营业货车',
  truck_operating: '营业货车',
  motorcycle: '摩托车',
}

export const ENERGIES: Record<Schemas['EnergyEnum'], string> = { fuel: '燃油', new_energy: '新能源' }
