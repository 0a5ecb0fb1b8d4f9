// The sync core's public surface (see types.ts for the contract).
export { changesStreamKey } from '../mirror/changes.ts';
export { addFromBatch, applyBatch, openSyncRun, SyncError, type RecordBatch, type SyncDeps, type SyncRun } from './run.ts';
export { ensureSource } from './sources.ts';
export type { EntityCounts, MirrorChangeEvent, SyncMode, SyncOptions, SyncResult, SyncWarning } from './types.ts';
export { SyncInputError } from './validate.ts';
