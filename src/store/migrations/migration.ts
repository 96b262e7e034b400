import type { Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** A schema step. Written once with Kysely's schema builder; `dialect` is only for the rare column type that differs. */
export interface PharosMigration {
  name: string;
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/** Auto-increment integer primary key in either dialect. */
export function serialType(dialect: DialectName): 'integer' | 'serial' {
  return dialect === 'postgres' ? 'serial' : 'integer';
}
