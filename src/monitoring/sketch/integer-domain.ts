/**
 * Exact value counts of a numerical column while it looks like pandas int64 (the reader's integer
 * hint on every chunk) and has at most `INTEGER_DOMAIN_LIMIT` distinct values. Evidently compares
 * such a column as categorical, so a summary must remember it to give the same test; the counts stop
 * (and cost nothing) as soon as an 11th value or a non-integer chunk shows up.
 */
export const INTEGER_DOMAIN_LIMIT = 10;

export class IntegerDomain {
  integer = true;
  counts: Map<number, number> | null = new Map();

  update(values: ArrayLike<number>, integer: boolean): void {
    if (!integer) {
      this.integer = false;
      this.counts = null;
    }
    const counts = this.counts;
    if (!counts) return;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      counts.set(v, (counts.get(v) ?? 0) + 1);
      if (counts.size > INTEGER_DOMAIN_LIMIT) {
        this.counts = null;
        return;
      }
    }
  }

  merge(other: IntegerDomain): void {
    this.integer &&= other.integer;
    if (!this.integer || !this.counts || !other.counts) {
      this.counts = null;
      return;
    }
    for (const [v, n] of other.counts) this.counts.set(v, (this.counts.get(v) ?? 0) + n);
    if (this.counts.size > INTEGER_DOMAIN_LIMIT) this.counts = null;
  }

  /** An integer column with at most 10 distinct values (and at least one value). */
  get isSmall(): boolean {
    return this.integer && this.counts !== null && this.counts.size > 0;
  }

  toJSON(): IntegerDomainState {
    return { integer: this.integer, counts: this.counts ? [...this.counts] : null };
  }

  static fromJSON(state: IntegerDomainState | undefined): IntegerDomain {
    const d = new IntegerDomain();
    if (!state) {
      // summaries stored before the domain existed: unknown, so never "small"
      d.integer = false;
      d.counts = null;
      return d;
    }
    d.integer = state.integer;
    d.counts = state.counts ? new Map(state.counts) : null;
    return d;
  }
}

export interface IntegerDomainState {
  integer: boolean;
  counts: Array<[number, number]> | null;
}
