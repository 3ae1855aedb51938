import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonStream } from '../src/json-body.js';

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
});
