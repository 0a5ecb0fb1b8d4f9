// CommerceML 2 connector: the 1C exchange endpoint, the streaming parser and the importers.
export { commercemlRouter, DEFAULT_EXCHANGE_PATH, type CommerceMLRouterOptions } from './router.ts';
export { COMMERCEML_IMPORT_JOB, DEFAULT_UPLOAD_PREFIX, importJob, type ImportJobData, runImportJob } from './import/run-import.ts';
export { MAX_REQUEUES, watchImport, type ImportWatch } from './import/watch.ts';
export { parseSettings, type CommerceMLSettings } from './settings.ts';
export { type ExchangeActivity, type ExchangeFile, recentExchanges } from './exchange/activity.ts';
export { COMMERCEML_QUIET_JOB, type QuietJobData, recreateQuietChecks, runQuietCheck, scheduleQuietCheck } from './import/quiet.ts';
