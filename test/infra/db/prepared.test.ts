import { expect } from 'chai';
import { prepare, runPrepared } from '../../../src/infra/db/prepared.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime } from '../../support/runtime.ts';

describe('db/prepared: named statements on pooled connections', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
  });

  it('numbers the placeholders and names the statement by its text', () => {
    const a = prepare('t', 'SELECT ?::int + ?::int AS n');
    expect(a.text).to.equal('SELECT $1::int + $2::int AS n');
    expect(a.name).to.match(/^t_[0-9a-f]{10}$/);
    expect(prepare('t', 'SELECT ?::int AS n').name).not.to.equal(a.name);
    expect(() => prepare('t', 'SELECT ?? FROM x')).to.throw(/\?\? is not supported/);
  });

  it('runs the same statement many times, in parallel, and inside a transaction through knex', async () => {
    const st = prepare('test_sum', 'SELECT ?::int + ?::int AS n, ?::int[] AS ids');
    const rows = await Promise.all(Array.from({ length: 30 }, (_, i) => runPrepared<{ n: number; ids: number[] }>(rt.db, st, [i, 1, [i, 2]])));
    expect(rows.map((r) => r[0]!.n)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(rows[3]![0]!.ids).to.deep.equal([3, 2]);
    const inTrx = await rt.db.transaction(async (trx) => {
      await trx.raw('CREATE TEMP TABLE prepared_probe (x int) ON COMMIT DROP');
      await trx.raw('INSERT INTO prepared_probe VALUES (41)');
      // sees the transaction's own rows: it ran on the transaction's connection
      return runPrepared<{ n: number }>(trx, prepare('test_probe', 'SELECT x + ?::int AS n FROM prepared_probe'), [1]);
    });
    expect(inTrx).to.deep.equal([{ n: 42 }]);
  });

  it('a failing statement gives its error and hands the connection back', async () => {
    const bad = prepare('test_bad', 'SELECT 1 / ?::int AS n');
    for (let i = 0; i < 15; i++) {
      // more failures than the pool has connections: none may leak
      await runPrepared(rt.db, bad, [0]).then(
        () => expect.fail('division by zero'),
        (e: Error) => expect(e.message).to.match(/division by zero/),
      );
    }
    expect(await runPrepared<{ n: number }>(rt.db, bad, [1])).to.deep.equal([{ n: 1 }]);
  });
});
