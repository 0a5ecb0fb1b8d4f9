// The connector's typed errors. Each says whether retrying can help (BullMQ retries the ones
// that can; the others fail the job at once with the message).

export type TransportFailure = 'down' | 'timeout' | 'http' | 'fault' | 'malformed' | 'auth';

export class SoapCallError extends Error {
  constructor(
    readonly failure: TransportFailure,
    readonly operation: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(`${operation}: ${message}`);
  }
}

/** A mapping file that cannot be used; names the file, the path inside it and the problem. */
export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; line?: number; message: string }[],
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}` : ''}: ${p.path || '(root)'}: ${p.message}`).join('\n'));
  }
}

/** The system answered, but the answer does not fit the mapping (a missing result path…). */
export class MappingDataError extends Error {
  readonly retryable = false;
}
