// Every job kind of the system. Each lives in its own file next to this one.
import { commercemlImportJob } from './commerceml-import.ts';
import { ordersExport } from './orders-export.ts';
import { ordersStatus } from './orders-status.ts';
import { syncChanges } from './sync-changes.ts';
import { syncFull } from './sync-full.ts';
import type { JobDefinition } from './types.ts';

export const JOBS: JobDefinition<never>[] = [
  commercemlImportJob as JobDefinition<never>,
  syncFull as JobDefinition<never>,
  syncChanges as JobDefinition<never>,
  ordersExport as JobDefinition<never>,
  ordersStatus as JobDefinition<never>,
];
