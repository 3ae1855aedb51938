/**
 * The API's one cache of answers, keyed by the published state of the views
 * they were read at (engine Reads.version), with in-flight sharing, so 50 clients asking the same thing cost
 * one computation.
 *
 * Bounded by weight (a report's rows), not by entries: a report is some
 * hundreds of rows, but one of school-profile by pupil_weight,advice is
 * 117,000 rows at 110,000 learners and 760,000 nationally, about 48 and 300
 * MB as objects. Counted in entries (1,000 of them), the memory it could
 * hold had no limit.
 */
export interface ComputeCacheOptions<V> {
  /** What an answer costs to keep, in the unit of `budget`. */
  readonly weigh: (value: V) => number;
  /** The total weight kept; an answer heavier than this alone is shared while in flight, then not kept. */
  readonly budget: number;
}

interface Entry<V> {
  readonly value: Promise<V>;
  readonly version: string;
  /** Null while in flight: nothing to weigh yet, and never evicted (its waiters share it). */
  weight: number | null;
}

export class ComputeCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private weight = 0;
  /** Versions met, newest last: a request that read its version just before a newer one was published must not drop the newer one's answers. */
  private readonly seen: string[] = [];
  constructor(private readonly options: ComputeCacheOptions<V>) {}

  /**
   * The answer for `key` at `version` (the views' published state, part of
   * the key as well). A version not met before drops the answers of every
   * other: the views have moved on, so they will not be asked for again and
   * would only hold memory.
   */
  get(key: string, version: string, compute: () => Promise<V>): Promise<V> {
    if (!this.seen.includes(version)) this.moveTo(version);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = compute();
    const entry: Entry<V> = { value, version, weight: null };
    this.entries.set(key, entry);
    value.then((v) => {
      if (this.entries.get(key) !== entry) return;
      const weight = Math.max(1, this.options.weigh(v));
      // Kept, it would push out everything else and then itself.
      if (weight > this.options.budget) {
        this.entries.delete(key);
        return;
      }
      entry.weight = weight;
      this.weight += weight;
      this.evict();
    }, () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** The weight kept and the number of answers (in flight included), for tests and the health of a server. */
  stats(): { weight: number; entries: number } {
    return { weight: this.weight, entries: this.entries.size };
  }

  private moveTo(version: string): void {
    this.seen.push(version);
    if (this.seen.length > 16) this.seen.shift();
    for (const [key, e] of this.entries) if (e.version !== version) this.remove(key, e);
  }

  /** Least recently used first, settled answers only. */
  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.weight <= this.options.budget) return;
      if (e.weight !== null) this.remove(key, e);
    }
  }

  private remove(key: string, e: Entry<V>): void {
    this.entries.delete(key);
    if (e.weight !== null) this.weight -= e.weight;
  }
}
