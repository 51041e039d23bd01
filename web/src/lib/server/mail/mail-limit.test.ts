// @vitest-environment node
// The per-address mail limit (3 an hour) on PostgreSQL, where several web instances
// share one count: requests for one address at the same moment, on different
// connections, must not all pass the count (READ COMMITTED lets two statements see
// the same 2 rows and both insert a third).
import { Kysely, PostgresDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "@/test/postgres-database";
import { MAIL_REQUEST_MODEL, MAILS_PER_ADDRESS_PER_HOUR, MailLimit } from "./mail-limit";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const postgresUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!postgresUrl)("the mail limit on PostgreSQL", { timeout: 60_000 }, () => {
  it("lets exactly 3 of many simultaneous requests for one address through, across instances", async () => {
    // Two web instances, each with a pool of its own.
    const { pools, drop } = await freshPostgresDatabase(postgresUrl!, "todo_web_mail_limit", { max: 8 });
    closers.push(drop);
    const dbs = pools.map((pool) => new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }));
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
