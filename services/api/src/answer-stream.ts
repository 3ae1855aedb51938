/**
 * A large answer as a stream, made a slice of its rows at a time.
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
import { csvWriter, type Report } from '@leerroutes/indicators';

/** Rows per slice: about 0.5 MB of JSON, a few milliseconds to make. */
const SLICE_ROWS = 2_000;

/** Answers with fewer rows than this go out as one text: the slices would only add turns. */
export const STREAM_ROWS = 5_000;

/** `head`, then each item's text (`sep` between), then `tail`, as a stream of slices with a turn of the event loop after each. */
function sliced<T>(head: string, items: readonly T[], text: (item: T) => string, sep: string, tail: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let at = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const end = Math.min(items.length, at + SLICE_ROWS);
      const parts: string[] = [];
      for (let i = at; i < end; i++) parts.push(text(items[i]!));
      const out = (at === 0 ? head : sep) + parts.join(sep) + (end === items.length ? tail : '');
      at = end;
      if (out.length > 0) controller.enqueue(encoder.encode(out));
      if (at === items.length) {
        controller.close();
        return;
      }
      // A turn of the event loop: without it a fast socket would take every slice in one stretch of microtasks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  });
}

/** The member text JSON.stringify writes for `value` under an object key, or null where it leaves the member out. */
function member(key: string, value: unknown): string | null {
  const text = JSON.stringify(value);
  return text === undefined ? null : `${JSON.stringify(key)}:${text}`;
}

/**
 * `JSON.stringify(value)` as a stream: the same text, with the array under
 * `rowsKey` made a slice at a time. For plain data objects (no `toJSON`, no
 * replacer), which answers are.
 */
export function jsonStream(value: Readonly<Record<string, unknown>>, rowsKey: string): ReadableStream<Uint8Array> {
  const rows = value[rowsKey];
  if (!Array.isArray(rows)) return sliced(JSON.stringify(value), [], String, '', '');
  const before: string[] = [];
  const after: string[] = [];
  let seen = false;
  for (const [key, v] of Object.entries(value)) {
    if (key === rowsKey) { seen = true; continue; }
    const m = member(key, v);
    if (m !== null) (seen ? after : before).push(m);
  }
  const head = `{${before.map((m) => `${m},`).join('')}${JSON.stringify(rowsKey)}:[`;
  const tail = `]${after.map((m) => `,${m}`).join('')}}`;
  return sliced(head, rows as readonly unknown[], (r) => JSON.stringify(r) ?? 'null', ',', tail);
}

/** `formatReport(report, 'csv')` as a stream: the same text, a slice of rows at a time. */
export function csvStream(report: Report): ReadableStream<Uint8Array> {
  const csv = csvWriter(report);
  return sliced(`${csv.header}\n`, report.rows, (r) => `${csv.line(r)}\n`, '', '');
}
