// The real CommerceML sample files (../shared/samples/commerceml) used as fixtures.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SAMPLES_DIR = process.env.CML_SAMPLES_DIR ?? path.resolve(here, '../../../../shared/samples/commerceml');

export const SAMPLE = {
  offDocImport: 'irpsv/off-doc-1c/import.xml',
  offDocOffers: 'irpsv/off-doc-1c/offers.xml',
  offDocOrders: 'irpsv/off-doc-1c/orders.xml',
  ut101Offers: 'irpsv/real-1c-ut101/offers.xml',
  bitrix6Import: 'irpsv/bitrix-module-6/import.xml',
  bitrix6Rests: 'irpsv/bitrix-module-6/rests.xml',
  umiOffers: 'irpsv/umi-cms/offers.xml',
  gbImport: 'gillbeits/import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml',
  gbOffers: 'gillbeits/offers___7f304edc-2527-4d3d-b058-6e4ee53de2e0.xml',
  gbPrices: 'gillbeits/prices___d66a6b51-ce9c-4e7a-8c7c-25079721107f.xml',
  gbRests: 'gillbeits/rests___1af6e7b8-a026-4690-9752-1c9d64cb914d.xml',
  dmImport: 'dobromyslov/import0_1.xml',
  dmOffers: 'dobromyslov/offers0_1.xml',
  dmQuery: 'dobromyslov/bitrix-query-response-full.xml',
  acContractors: 'argentcrusade/contractors-example.xml',
  acDocuments: 'argentcrusade/documents-example.xml',
  bpImport: 'bigperson/import.xml',
  bpOffers: 'bigperson/offers.xml',
  tbImport: 'turumburum/import.xml',
  caronoTo: 'carono-yii2/to.xml',
} as const;

export const samplePath = (rel: string) => path.join(SAMPLES_DIR, rel);
