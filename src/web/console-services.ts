// What the console needs from parts the web may not import (connectors): passed into createApp
// by the process (src/app/roles), so the web calls an interface and never a connector.
export interface MappingReport {
  ok: boolean;
  /** The same lines the CLI prints (`counterpart mapping validate|dry-run`). */
  lines: string[];
}

export interface ConsoleServices {
  /**
   * Validates a source's mapping; with dryRun, also fetches and maps a sample and applies it in
   * a rolled-back transaction, reporting the counts. Absent when this process has no connectors.
   */
  checkMapping?(sourceId: number, opts: { dryRun: boolean }): Promise<MappingReport>;
}
