// A small, complete mirror batch for sync tests.
import type { MirrorRecords } from '../../src/mirror/records.ts';

type Batch = { [E in keyof MirrorRecords]?: MirrorRecords[E][] };

export function smallCatalog(): Batch {
  return {
    groups: [
      { externalId: 'g1', name: 'Крепёж' },
      { externalId: 'g2', parentExternalId: 'g1', name: 'Болты' },
    ],
    priceTypes: [
      { externalId: 'pt-base', name: 'Базовая', currency: 'RUB', isBase: true },
      { externalId: 'pt-opt', name: 'Оптовая', currency: 'RUB' },
    ],
    warehouses: [
      { externalId: 'w-msk', name: 'Москва', kind: 'own' },
      { externalId: 'w-nsk', name: 'Новосибирск (партнёр)', kind: 'partner', commissionPct: '7.5', deliveryDays: 4 },
    ],
    products: [
      { externalId: 'p1', groupExternalId: 'g2', sku: 'BLT-M8', name: 'Болт М8×40', unit: 'шт', properties: { Стандарт: 'DIN 933' } },
      { externalId: 'p2', groupExternalId: 'g2', sku: 'BLT-M10', name: 'Болт М10×50', unit: 'шт' },
    ],
    offers: [
      { externalId: 'p1', productExternalId: 'p1' },
      { externalId: 'p2', productExternalId: 'p2' },
      { externalId: 'p2#blk', productExternalId: 'p2', name: 'Болт М10×50 чёрный', characteristics: { Цвет: 'чёрный' } },
    ],
    prices: [
      { offerExternalId: 'p1', priceTypeExternalId: 'pt-base', value: '12.50' },
      { offerExternalId: 'p1', priceTypeExternalId: 'pt-opt', value: '11.00' },
      { offerExternalId: 'p2', priceTypeExternalId: 'pt-base', value: '20.00' },
    ],
    stock: [
      { offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '100' },
      { offerExternalId: 'p2', warehouseExternalId: 'w-msk', quantity: '0' },
      { offerExternalId: 'p2', warehouseExternalId: 'w-nsk', quantity: '5.5' },
    ],
  };
}
