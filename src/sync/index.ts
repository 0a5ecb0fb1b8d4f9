// The sync core's public surface. Implementation lands in run.ts (see types.ts for the contract).
export type { MirrorChangeEvent, SyncOptions, SyncResult, SyncWarning, EntityCounts, SyncMode } from './types.ts';
