import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReport, type Report, type ReportRow } from '@leerroutes/indicators';
import { csvStream, jsonStream } from '../src/answer-stream.js';

async function text(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const decoder = new TextDecoder();
  let out = '';
  let chunks = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    out += decoder.decode(chunk, { stream: true });
    chunks++;
  }
  return { text: out + decoder.decode(), chunks };
}

const row = fc.record({
  group: fc.dictionary(fc.string(), fc.string()),
  offset: fc.option(fc.integer()),
  category: fc.string(),
  count: fc.option(fc.integer()),
  percent: fc.option(fc.double({ noNaN: true })),
  note: fc.option(fc.string(), { nil: undefined }),
}, { requiredKeys: ['group', 'category'] });

describe('jsonStream', () => {
  it('gives JSON.stringify\'s text, members left out and key order included', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({ before: fc.option(fc.jsonValue(), { nil: undefined }), rows: fc.array(row, { maxLength: 30 }), after: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['rows'] }),
      fc.boolean(),
      async (answer, rowsFirst) => {
        const { rows, ...rest } = answer;
        const value = rowsFirst ? { rows, ...rest } : { ...rest, rows };
        expect((await text(jsonStream(value, 'rows'))).text).toBe(JSON.stringify(value));
      },
    ), { numRuns: 300 });
  });

  it('makes a large array a slice at a time, the same text, with turns of the event loop between slices', async () => {
    const rows = Array.from({ length: 20_001 }, (_, i) => ({ group: { school: `S${i % 97}` }, category: 'gelijk', count: i, percent: i / 7 }));
    const value = { request: { indicator: 'outcome' }, rows, minCell: 10 };
    let turns = 0;
    let stop = false;
    const tick = () => { if (!stop) { turns++; setImmediate(tick); } };
    setImmediate(tick);
    const { text: out, chunks } = await text(jsonStream(value, 'rows'));
    stop = true;
    expect(out).toBe(JSON.stringify(value));
    expect(chunks).toBeGreaterThanOrEqual(11);
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('writes an empty or missing rows array as JSON does', async () => {
    for (const value of [{ rows: [] as unknown[] }, { a: 1 }, { a: undefined, rows: [null, 1] }]) {
      expect((await text(jsonStream(value, 'rows'))).text).toBe(JSON.stringify(value));
    }
  });

  it('gives formatReport\'s CSV, a slice of rows at a time', async () => {
    const rows = (n: number, edges: boolean): ReportRow[] => Array.from({ length: n }, (_, i) => ({
      group: { vo_school: `S${i % 13}`, ...(i % 5 === 0 ? { sector: 'a, "b"' } : {}) }, offset: i % 4, schoolYear: null,
      ...(edges ? { from: 'havo', to: i % 2 ? 'vwo' : 'mbo' } : {}), family: 'class', category: i % 3 ? 'havo' : 'line\nbreak',
      count: i % 7 ? i : null, denominator: i + 10, percent: i % 7 ? 12.5 : null, suppressed: i % 7 === 0, suppression: i % 7 ? null : 'primary',
      ...(i % 11 === 0 ? { spread: { years: 3, min: 1, max: 9.5, sd: 2.1 } } : {}),
    }));
    for (const [n, edges] of [[0, false], [3, true], [4_321, false], [9_999, true]] as const) {
      const report: Report = {
        request: { indicator: 'transitions', cohortType: 'advice', cohort: '2013-2014', rules: 'monitor', by: ['vo_school'] },
        ruleSet: { name: 'monitor', version: 1 }, rows: rows(n, edges), source: { kind: 'views', checkpoint: 1 }, minCell: 10, suppressed: true,
      } as Report;
      expect((await text(csvStream(report))).text).toBe(formatReport(report, 'csv'));
    }
  });
});
