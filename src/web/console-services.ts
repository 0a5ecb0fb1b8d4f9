// What the console needs from parts the web may not import (connectors, the queue): passed into
// createApp by the process (src/app/roles), so the web calls an interface and never a connector
// or BullMQ.
import type { RequestHandler } from 'express';

export interface MappingReport {
  ok: boolean;
  /** The same lines the CLI prints (`counterpart mapping validate|dry-run`). */
  lines: string[];
}

/** One exchange session of a CommerceML source and the files it imported (newest first). */
export interface ExchangeSummary {
  id: number;
  type: string;
  state: string;
  created_at: Date;
  last_seen_at: Date;
  completed_at: Date | null;
  files: { filename: string; state: string; progress: string; message: string; finished_at: Date | null }[];
}

export interface ConsoleServices {
  /**
   * Validates a source's mapping; with dryRun, also fetches and maps a sample and applies it in
   * a rolled-back transaction, reporting the counts. Absent when this process has no connectors.
   */
  checkMapping?(sourceId: number, opts: { dryRun: boolean }): Promise<MappingReport>;
  /** A CommerceML source's recent exchanges with 1C. Absent when this process has no connectors. */
  exchanges?(sourceId: number): Promise<ExchangeSummary[]>;
  /**
   * The queue board (bull-board over every BullMQ queue), serving QUEUES_PATH
   * (src/web/routes/console/queues.ts). The web puts its admin guard in front. Absent when this
   * process shows no queues.
   */
  queueBoard?: RequestHandler;
  /** Job counts per BullMQ queue (one per job kind), for /metrics. Absent when this process shows no queues. */
  queueCounts?(): Promise<QueueCounts[]>;
  /** Open CommerceML exchange sessions per source name, for /metrics. Absent when this process has no connectors. */
  openExchanges?(): Promise<{ source: string; open: number }[]>;
}

/** One queue's jobs by state (BullMQ's getJobCounts). */
export interface QueueCounts {
  queue: string;
  counts: Record<string, number>;
}
