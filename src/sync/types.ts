// The sync core's contract with connectors. A connector opens a run for its source, streams
// records into it in bounded chunks (any entity, any order), then commits: everything is
// applied in ONE transaction, or nothing is.
import type { EntityName } from '../mirror/records.ts';

export type SyncMode = 'full' | 'delta';

export interface SyncOptions {
  sourceId: number;
  /** What started the run: 'full', 'changes', 'commerceml', 'bench'… (shown in the console). */
  kind: string;
  /** full: for every entity added to the run, rows of this source not in it are marked deleted. */
  mode: SyncMode;
  /** The accounting system's time of this data (not our clock). */
  asOf?: Date | null;
  /** Stored on the source in the same transaction (e.g. the change feed's next cursor). */
  cursor?: string | null;
  /**
   * The source's cursor when this run began reading: the commit goes through only if it is
   * still that (compare-and-set under the row lock of `sources`), so a run overtaken by another
   * run of the same source — say a full sync whose Redis lock vanished — never writes its older
   * snapshot over newer data nor moves the cursor back. Undefined: no check.
   */
  expectCursor?: string | null;
  /**
   * The fencing token: `sources.sync_epoch` read before this run began reading. Every committed
   * run adds one to it; a run given this commits only if the epoch is still the same, so any
   * run of the source committed in between (cursor or none) makes this one fail as overtaken.
   */
  expectEpoch?: number;
  /**
   * Stops the run when aborted (e.g. its source lock was lost): checked before each batch and
   * before the commit; the run then rolls back and fails with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface EntityCounts {
  received: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  unknownRefs: number;
}

export interface SyncWarning {
  entity: EntityName;
  message: string;
  count: number;
  sample: string[];
}

export interface SyncResult {
  runId: number;
  counts: Partial<Record<EntityName, EntityCounts>>;
  warnings: SyncWarning[];
  changed: boolean;
}

/** The change event contract lives in src/mirror (the store's consumers read it there). */
export type { MirrorChangeEvent } from '../mirror/changes.ts';
