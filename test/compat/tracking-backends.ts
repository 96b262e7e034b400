import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The store engines the tracking interop suites run a server on: embedded SQLite always, PostgreSQL (a fresh
 * database each time) when PHAROS_TEST_PG_URI is set. `args` are extra `pharos server` arguments.
 */
export async function trackingBackends(): Promise<Array<{ name: string; args: () => Promise<string[]> }>> {
  const list = [{ name: 'sqlite', args: async () => [] as string[] }];
  const admin = process.env.PHAROS_TEST_PG_URI;
  if (admin) {
    list.push({
      name: 'postgres',
      args: async () => {
        const dbName = `compat_${randomBytes(6).toString('hex')}`;
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        try {
          await c.query(`CREATE DATABASE ${dbName}`);
        } finally {
          await c.end();
        }
        const u = new URL(admin);
        u.pathname = `/${dbName}`;
        return ['--backend-store-uri', u.toString()];
      },
    });
  }
  return list;
}
