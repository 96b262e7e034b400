import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty, migrated store (its own SQLite file / its own PostgreSQL database). */
  open(): Promise<Store>;
}

/**
 * The engines a shared store test runs on: SQLite always, PostgreSQL when PHAROS_TEST_PG_URI is set
 * (scripts/test.sh starts a real server and sets it; a suite run by hand without it covers SQLite only).
 */
export function storeKinds(): StoreKind[] {
  const kinds: StoreKind[] = [
    {
      name: 'sqlite',
      open: async () => openStore(join(mkdtempSync(join(tmpdir(), 'pharos-store-')), 'pharos.db')),
    },
  ];
  const admin = process.env.PHAROS_TEST_PG_URI;
  if (admin) {
    kinds.push({
      name: 'postgres',
      open: async () => {
        const dbName = `t_${randomBytes(6).toString('hex')}`;
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${dbName}`);
        } finally {
          await client.end();
        }
        const u = new URL(admin);
        u.pathname = `/${dbName}`;
        return openStore(u.toString());
      },
    });
  }
  return kinds;
}
