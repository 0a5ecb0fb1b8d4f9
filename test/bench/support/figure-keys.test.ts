import { expect } from 'chai';
import { figureKey, flatFigures, ratioKey } from '../../../bench/support/figure-keys.ts';

describe('bench figure keys', () => {
  it('names a figure by its own key, or by its label and unit', () => {
    expect(figureKey({ key: 'full_rows_per_s', label: 'full sync end to end', value: 1, unit: 'rows/s' })).to.equal('full_rows_per_s');
    expect(figureKey({ label: 'worker peak RSS', value: 1, unit: 'MB' })).to.equal('worker_peak_rss_mb');
    expect(figureKey({ label: 'webhook lag p95', value: 1, unit: 'ms' })).to.equal('webhook_lag_p95_ms');
    expect(figureKey({ label: 'throughput', value: 1, unit: 'rows/s' })).to.equal('throughput_rows_per_s');
  });

  it('names a ratio by its own key, or by the figure key with _ratio for the unit', () => {
    expect(ratioKey({ key: 'full_rows_per_s', ratioKey: 'ratio', label: 'x', value: 1, unit: 'rows/s', ratio: 0.5 })).to.equal('ratio');
    expect(ratioKey({ label: 'wall time, first file → last success', value: 1, unit: 's', ratio: 0.9 })).to.equal('wall_time_first_file_last_success_ratio');
  });

  it('flattens a benchmark into bench.key → value, ratios included', () => {
    const flat = flatFigures('soap-sync', [
      { key: 'full_rows_per_s', ratioKey: 'ratio', label: 'a', value: 42_000, unit: 'rows/s', ratio: 0.48 },
      { key: 'ceiling_rows_per_s', label: 'b', value: 88_000, unit: 'rows/s' },
    ]);
    expect(flat).to.deep.equal({ 'soap_sync.full_rows_per_s': 42_000, 'soap_sync.ratio': 0.48, 'soap_sync.ceiling_rows_per_s': 88_000 });
  });

  it('refuses a key used twice or not in snake case', () => {
    expect(() => flatFigures('catalog', [{ key: 'p99_ms', label: 'a', value: 1, unit: 'ms' }, { key: 'p99_ms', label: 'b', value: 2, unit: 'ms' }])).to.throw(/catalog\.p99_ms is used twice/);
    expect(() => flatFigures('catalog', [{ key: 'P99 ms', label: 'a', value: 1, unit: 'ms' }])).to.throw(/not of the form/);
  });
});
