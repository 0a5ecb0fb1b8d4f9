// What the outbox jobs of SOAP sources share: each source's backend opened once per run, and
// which connector errors are final (the outbox loop marks those rows 'failed').
import type { Knex } from 'knex';
import { MappingDataError, MappingError, type SoapBackend, SoapCallError } from '../../connectors/soap/index.ts';
import { backendOf, type SoapSourceRow } from './soap-source.ts';

/** A mapping problem or a refusal by the system (a Client fault) repeats on every retry. */
export function soapRetryable(err: unknown): boolean {
  if (err instanceof MappingError || err instanceof MappingDataError) return false;
  if (err instanceof SoapCallError) return err.retryable;
  return true;
}

/** Backends by source id, each opened on first use (the mapping is read once per run, not per row). */
export function soapBackends(): (trx: Knex.Transaction, sourceId: number) => Promise<SoapBackend> {
  const opened = new Map<number, Promise<SoapBackend>>();
  return (trx, sourceId) => {
    let backend = opened.get(sourceId);
    if (!backend) {
      backend = (async () => {
        const src: SoapSourceRow = await trx('sources').where({ id: sourceId }).first('id', 'name', 'kind', 'settings', 'cursor');
        return backendOf(src);
      })();
      opened.set(sourceId, backend);
    }
    return backend;
  };
}
