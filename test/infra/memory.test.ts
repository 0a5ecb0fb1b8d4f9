import { expect } from 'chai';
import { releaseMemory } from '../../src/infra/memory.ts';

const MB = 1024 * 1024;

describe('infra/memory: releaseMemory', () => {
  it('collects the garbage a big job left (one full collection), and does nothing under its threshold', () => {
    // ~150 MB of objects, then dropped: garbage V8 keeps until something collects it
    let junk: { i: number; s: string }[] | undefined = Array.from({ length: 1_500_000 }, (_, i) => ({ i, s: `значение ${i}` }));
    expect(junk.length).to.equal(1_500_000);
    junk = undefined;
    expect(releaseMemory(Number.MAX_SAFE_INTEGER)).to.equal(0);
    const freed = releaseMemory(16 * MB);
    expect(freed).to.be.above(50 * MB);
  });
});
