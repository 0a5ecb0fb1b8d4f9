// Every job kind of the system. Each lives in its own file next to this one.
import { commercemlImportJob } from './commerceml-import.ts';
import type { JobDefinition } from './types.ts';

export const JOBS: JobDefinition<never>[] = [commercemlImportJob as JobDefinition<never>];
