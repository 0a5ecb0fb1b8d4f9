import fs from 'node:fs';
import { expect } from 'chai';
import { ROWS_FILE, rowTypesSource } from '../../../src/infra/db/row-types.ts';
import { testRuntime } from '../../support/runtime.ts';

describe('db/row-types: the committed row types match the migrated schema', () => {
  it('src/infra/db/rows.ts is what `npm run db:types` writes for the current migrations', async () => {
    const rt = await testRuntime();
    const fresh = await rowTypesSource(rt.db);
    // A migration that adds, drops or retypes a column without regenerating fails here.
    expect(fs.readFileSync(ROWS_FILE, 'utf8'), 'run `npm run db:types` and commit src/infra/db/rows.ts').to.equal(fresh);
  });

  it('reads CHECK (col IN …) constraints as literal unions and numeric as exact strings', async () => {
    const src = await rowTypesSource((await testRuntime()).db);
    expect(src).to.match(/export interface UsersRow \{[^}]*role: 'buyer' \| 'manager' \| 'admin';/);
    expect(src).to.match(/export interface PricesRow \{[^}]*value: string;/);
    expect(src).to.match(/export interface OrdersRow \{[^}]*created_at: Date;/);
  });
});
