// @vitest-environment node
// The per-address mail limit (3 an hour) on PostgreSQL, where several web instances
// share one count: requests for one address at the same moment, on different
// connections, must not all pass the count (READ COMMITTED lets two statements see
// the same 2 rows and both insert a third).
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MAIL_REQUEST_MODEL, MAILS_PER_ADDRESS_PER_HOUR, MailLimit } from "./mail-limit";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const postgresUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!postgresUrl)("the mail limit on PostgreSQL", { timeout: 60_000 }, () => {
  it("lets exactly 3 of many simultaneous requests for one address through, across instances", async () => {
    const name = `todo_web_mail_limit_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    closers.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    // Two web instances, each with a pool of its own.
    const pools = [0, 1].map(() => new pg.Pool({ connectionString: url.toString(), max: 8 }));
    // DROP DATABASE … WITH (FORCE) at the end ends any connection still closing.
    for (const pool of pools) pool.on("error", () => {});
    const dbs = pools.map((pool) => new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }));
    closers.push(() => Promise.all(dbs.map((db) => db.destroy())));
    // The columns Better Auth's migration gives the plugin's model.
    await sql`CREATE TABLE ${sql.table(MAIL_REQUEST_MODEL)} ("id" text PRIMARY KEY, "addressKey" text NOT NULL, "createdAt" timestamptz NOT NULL)`.execute(dbs[0]);
    const limits = dbs.map((db) => new MailLimit(db));

    for (let round = 0; round < 5; round++) {
      const address = `ann${round}@example.com`;
      const taken = await Promise.all(Array.from({ length: 24 }, (_, i) => limits[i % 2].take("reset", address)));
      expect(taken.filter(Boolean), `round ${round}`).toHaveLength(MAILS_PER_ADDRESS_PER_HOUR);
    }
    // Another kind of mail for the same address has a count of its own.
    expect(await limits[0].take("verify", "ann0@example.com")).toBe(true);
  });
});
