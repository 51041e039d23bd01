import pg from "pg";

/**
 * A fresh database on the PostgreSQL server of `serverUrl` (TEST_DATABASE_URL), for
 * tests of several web instances on one store. Returns its URL and the pools opened
 * on it; `drop` ends the pools and drops the database (… WITH (FORCE) ends any
 * connection still closing, whose error the pools ignore).
 */
export async function freshPostgresDatabase(serverUrl: string, prefix: string, { pools: count = 2, max = 10 } = {}) {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pools = Array.from({ length: count }, () => new pg.Pool({ connectionString: url.toString(), max }));
  for (const pool of pools) pool.on("error", () => {});
  return {
    pools,
    async drop() {
      await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
