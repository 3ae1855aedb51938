/**
 * A small seeded PRNG of our own (sfc32, seeded through cyrb128 + splitmix32),
 * so that a learner's life is a pure function of (seed, learner index, stream):
 * reproducible byte for byte, streamable in any order and splittable across
 * workers. Math.random is never used.
 */

/** cyrb128: a fast string hash giving four 32-bit words, used to turn a seed string into state. */
export function hashSeed(seed: string): readonly [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Keys of every member of a union of weight tables. */
type KeysOf<T> = T extends unknown ? keyof T & string : never;

/**
 * Weight tables are parameter objects that never change during a run, so their
 * keys and running sums are computed once. A table must not be mutated after
 * its first draw.
 */
const TABLES = new WeakMap<object, { keys: string[]; cumulative: Float64Array }>();

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    // sfc32 needs a few rounds before nearby seeds decorrelate.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Index drawn proportionally to non-negative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Key of a record of weights, drawn proportionally. */
  choose<T extends Readonly<Record<string, number>>>(weights: T): KeysOf<T> {
    let table = TABLES.get(weights);
    if (!table) {
      const keys = Object.keys(weights);
      const cumulative = new Float64Array(keys.length);
      let acc = 0;
      keys.forEach((k, i) => { acc += weights[k]!; cumulative[i] = acc; });
      table = { keys, cumulative };
      TABLES.set(weights, table);
    }
    const u = this.float() * table.cumulative[table.cumulative.length - 1]!;
    let i = 0;
    while (i < table.keys.length - 1 && table.cumulative[i]! <= u) i++;
    return table.keys[i] as KeysOf<T>;
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream simple). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/**
 * Independent streams per purpose: the clean data, the bad-row injector and the
 * re-delivery each draw from their own stream, so asking for bad rows or a
 * re-delivery never changes a single clean row.
 */
export const STREAMS = { life: 1, badRows: 2, redelivery: 3, world: 4 } as const;

export function rngFor(seed: readonly [number, number, number, number], index: number, stream: number): Rng {
  const s = splitmix32(seed[0] ^ splitmix32(index ^ Math.imul(stream, 0x27d4eb2d)));
  return new Rng(s, seed[1] ^ splitmix32(index + 0x632be5ab), seed[2] ^ Math.imul(stream + 1, 0x165667b1), seed[3] ^ index);
}
