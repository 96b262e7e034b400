import { invalidParameter } from '../../core/errors.ts';

/**
 * Exact category counts up to `maxCategories` distinct values, then an "other" bucket.
 *
 * Guarantees: a single stream counts every tracked category exactly; values first seen after the
 * cap is reached are counted in `otherCount`, so the total is always exact. Merging keeps the
 * `maxCategories` largest counts and moves the rest to "other"; then a tracked count may miss the
 * occurrences a part had put in its own "other". Every occurrence a count misses sits in
 * `otherCount`, so each count is a lower bound short by at most `otherCount` (exact while it is 0).
 * Missing values (null/undefined) are counted apart.
 *
 * Categorical features in a drift report have tens to thousands of values; the cap is there so an
 * ID-like column cannot exhaust memory, not to approximate ordinary columns.
 */
export class CategoryCounts {
  readonly maxCategories: number;
  private readonly counts = new Map<string, number>();
  otherCount = 0;
  missing = 0;

  constructor(options: { maxCategories?: number } = {}) {
    const cap = options.maxCategories ?? 10_000;
    if (!Number.isInteger(cap) || cap < 1) throw invalidParameter(`maxCategories must be a positive integer, got ${cap}`);
    this.maxCategories = cap;
  }

  update(value: string | null | undefined, times = 1): void {
    if (value === null || value === undefined) {
      this.missing += times;
      return;
    }
    const current = this.counts.get(value);
    if (current !== undefined) this.counts.set(value, current + times);
    else if (this.counts.size < this.maxCategories) this.counts.set(value, times);
    else this.otherCount += times;
  }

  updateAll(values: ArrayLike<string | null | undefined>): void {
    for (let i = 0; i < values.length; i++) this.update(values[i]);
  }

  /** Count of a category (0 when never seen or not tracked). */
  get(category: string): number {
    return this.counts.get(category) ?? 0;
  }

  /** Non-missing values seen, tracked and other. */
  get total(): number {
    let sum = this.otherCount;
    for (const c of this.counts.values()) sum += c;
    return sum;
  }

  /** Upper bound on how far any tracked count can be below its true value (0: all exact). */
  get maxUndercount(): number {
    return this.otherCount;
  }

  get overflowed(): boolean {
    return this.otherCount > 0;
  }

  /** Tracked categories, most frequent first (ties by name, so output is deterministic). */
  entries(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  merge(other: CategoryCounts): this {
    this.missing += other.missing;
    for (const [category, count] of other.counts) this.counts.set(category, (this.counts.get(category) ?? 0) + count);
    this.otherCount += other.otherCount;
    if (this.counts.size > this.maxCategories) {
      const ranked = this.entries();
      for (const [category, count] of ranked.slice(this.maxCategories)) {
        this.counts.delete(category);
        this.otherCount += count;
      }
    }
    return this;
  }

  toJSON(): CategoryCountsState {
    return { maxCategories: this.maxCategories, counts: Object.fromEntries(this.entries()), other: this.otherCount, missing: this.missing };
  }

  static fromJSON(s: CategoryCountsState): CategoryCounts {
    const c = new CategoryCounts({ maxCategories: s.maxCategories });
    for (const [k, v] of Object.entries(s.counts)) c.counts.set(k, v);
    c.otherCount = s.other;
    c.missing = s.missing;
    return c;
  }
}

export interface CategoryCountsState {
  maxCategories: number;
  counts: Record<string, number>;
  other: number;
  missing: number;
}
