import { DomainError } from '../../src/infra/domain-error.ts';

/** The DomainError a call refuses with; anything else (or no refusal) fails the test. */
export async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}
