import { invalidParameter } from '../../core/errors.ts';

/**
 * Count, mean, variance, min, max of a numeric stream, plus how many values were missing (null/NaN)
 * or infinite. Welford's update per value and Chan et al.'s pairwise formula to merge, which stay
 * accurate where the naive sum-of-squares loses all digits (large means, small spreads).
 */
export class NumericMoments {
  count = 0;
  mean = 0;
  /** Sum of squared deviations from the mean. */
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  missing = 0;
  infinite = 0;

  update(value: number | null | undefined): void {
    if (value === null || value === undefined || Number.isNaN(value)) {
      this.missing++;
      return;
    }
    if (!Number.isFinite(value)) {
      this.infinite++;
      return;
    }
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  updateAll(values: ArrayLike<number>): void {
    // update() inlined with the state in locals: the hot loop of summarising a large window
    let { count, mean, m2, min, max, missing, infinite } = this;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== 'number' || value - value !== 0) {
        if (typeof value !== 'number' || value !== value) missing++;
        else infinite++;
        continue;
      }
      count++;
      const delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
      if (value < min) min = value;
      if (value > max) max = value;
    }
    Object.assign(this, { count, mean, m2, min, max, missing, infinite });
  }

  merge(other: NumericMoments): this {
    this.missing += other.missing;
    this.infinite += other.infinite;
    if (other.count === 0) return this;
    if (this.count === 0) {
      this.count = other.count;
      this.mean = other.mean;
      this.m2 = other.m2;
      this.min = other.min;
      this.max = other.max;
      return this;
    }
    const n = this.count + other.count;
    const delta = other.mean - this.mean;
    this.m2 += other.m2 + (delta * delta * this.count * other.count) / n;
    this.mean += (delta * other.count) / n;
    this.count = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  /** Sample variance (n − 1), as pandas' `std()` and Evidently's normed Wasserstein use. */
  get variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : NaN;
  }

  get std(): number {
    return Math.sqrt(this.variance);
  }

  toJSON(): NumericMomentsState {
    return { count: this.count, mean: this.mean, m2: this.m2, min: this.count ? this.min : null, max: this.count ? this.max : null, missing: this.missing, infinite: this.infinite };
  }

  static fromJSON(s: NumericMomentsState): NumericMoments {
    if (!(s.count >= 0)) throw invalidParameter('numeric moments: count must be >= 0');
    const m = new NumericMoments();
    Object.assign(m, { count: s.count, mean: s.mean, m2: s.m2, min: s.min ?? Infinity, max: s.max ?? -Infinity, missing: s.missing, infinite: s.infinite });
    return m;
  }
}

export interface NumericMomentsState {
  count: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
  missing: number;
  infinite: number;
}
