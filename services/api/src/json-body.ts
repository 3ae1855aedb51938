/**
 * A large answer's JSON as a stream, made a slice of its rows at a time.
 *
 * `c.json` makes the whole text in one call on the event loop. For the
 * largest tables (school-profile by pupil_weight,advice: 117,000 rows, 28 MB
 * of JSON at 110,000 learners; 760,000 rows nationally) that held every
 * other request of the server for 115-160 ms at 110k, each time the table
 * was sent, cached or not. Made in slices with a turn of the event loop
 * between them, the text is the same byte for byte, other requests are
 * answered meanwhile, and no more than a few slices are held at once: the
 * socket's pace pulls the next one.
 */

/** Rows per slice: about 0.5 MB of text, a few milliseconds to make. */
const SLICE_ROWS = 2_000;

/** Answers with fewer rows than this go out as one text (`c.json`): the slices would only add turns. */
export const STREAM_ROWS = 5_000;

/** The member text JSON.stringify writes for `value` under an object key, or null where it leaves the member out. */
function member(key: string, value: unknown): string | null {
  const text = JSON.stringify(value);
  return text === undefined ? null : `${JSON.stringify(key)}:${text}`;
}

/**
 * `JSON.stringify(value)` as a stream: the same text, with the array under
 * `rowsKey` made `SLICE_ROWS` elements at a time. For plain data objects
 * (no `toJSON`, no replacer), which answers are.
 */
export function jsonStream(value: Readonly<Record<string, unknown>>, rowsKey: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const keys = Object.keys(value);
  let k = 0;
  let row = -1; // -1: the rows array not begun
  let wrote = false;
  let opened = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let out = opened ? '' : '{';
      opened = true;
      while (k < keys.length) {
        const key = keys[k]!;
        const v = value[key];
        if (key === rowsKey && Array.isArray(v)) {
          if (row === -1) {
            out += `${wrote ? ',' : ''}${JSON.stringify(key)}:[`;
            wrote = true;
            row = 0;
          }
          if (row < v.length) {
            const end = Math.min(v.length, row + SLICE_ROWS);
            const parts: string[] = [];
            for (let i = row; i < end; i++) parts.push(JSON.stringify(v[i]) ?? 'null');
            out += (row > 0 ? ',' : '') + parts.join(',');
            row = end;
            controller.enqueue(encoder.encode(out));
            // A turn of the event loop: without it a fast socket would take every slice in one stretch of microtasks.
            await new Promise<void>((resolve) => setImmediate(resolve));
            return;
          }
          out += ']';
          k++;
          continue;
        }
        const m = member(key, v);
        if (m !== null) {
          out += `${wrote ? ',' : ''}${m}`;
          wrote = true;
        }
        k++;
      }
      controller.enqueue(encoder.encode(`${out}}`));
      controller.close();
    },
  });
}
