/**
 * The payload encoding of schema version 2, kept to read a version-2 log while
 * it is migrated to version 3 (codec.ts). An event's payload was stored as
 * its *shape* (the nested key skeleton, once per distinct skeleton in the
 * `shapes` table) plus a JSON array of its leaf values in skeleton order. The
 * learner events of a national log have a few hundred shapes between them,
 * so the keys that made up half of every JSON payload are stored once.
 * Decoding builds the object with a function compiled per shape, which is
 * faster than JSON.parse of the keyed object and gives the same key order.
 */

/** Shape 0: the payload is not a plain object (null, an array, a number...) and is stored as plain JSON. */
export const RAW_SHAPE = 0;

export interface Flattened {
  readonly skeleton: string;
  readonly values: unknown[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The skeleton is a JSON array: a key for a leaf, `[key, [...]]` for a nested
 * plain object. Arrays and everything else are leaves. Keys whose value is
 * undefined are left out, as JSON.stringify does.
 */
export function flatten(data: unknown): Flattened | null {
  if (!isPlainObject(data)) return null;
  const values: unknown[] = [];
  const skeleton = JSON.stringify(walk(data, values));
  return { skeleton, values };
}

function walk(obj: Record<string, unknown>, values: unknown[]): unknown[] {
  const skel: unknown[] = [];
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (isPlainObject(v)) skel.push([key, walk(v, values)]);
    else {
      skel.push(key);
      values.push(v);
    }
  }
  return skel;
}

export type Decoder = (values: readonly unknown[]) => Record<string, unknown>;

/** A function that rebuilds the object of one skeleton from its value array. */
export function compileDecoder(skeleton: string): Decoder {
  let i = 0;
  const build = (skel: unknown[]): string =>
    `{${skel
      .map((entry) => (Array.isArray(entry) ? `${JSON.stringify(entry[0])}:${build(entry[1] as unknown[])}` : `${JSON.stringify(entry)}:v[${i++}]`))
      .join(',')}}`;
  // The skeleton comes from flatten() (JSON-quoted keys only), never from outside input.
  return new Function('v', `return ${build(JSON.parse(skeleton) as unknown[])};`) as Decoder;
}
