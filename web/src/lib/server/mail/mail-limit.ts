import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";

/** Better Auth's model (and table) for the mail limit; its columns are the plugin schema's fields. */
export const MAIL_REQUEST_MODEL = "mailRequest";

/** Which limit a mail counts against: password resets, and address confirmations (sign-up, resend, change). */
export type MailKind = "reset" | "verify";

export const MAILS_PER_ADDRESS_PER_HOUR = 3;
const HOUR_MS = 60 * 60 * 1000;

/** The counter's key: a SHA-256 of the lower-cased address, so the table holds no address anyone typed. */
function addressKey(kind: MailKind, address: string): string {
  return createHash("sha256").update(`${kind}:${address.trim().toLowerCase()}`).digest("hex");
}

/**
 * At most {@link MAILS_PER_ADDRESS_PER_HOUR} mails of one kind per address per hour,
 * counted in the accounts store (so every web instance on one PostgreSQL shares
 * the count, and a restart forgets nothing).
 */
export class MailLimit {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one of the address's mails for this hour: true when one was left (and is now used). */
  async take(kind: MailKind, address: string): Promise<boolean> {
    const key = addressKey(kind, address);
    const now = new Date(this.now());
    const since = new Date(this.now() - HOUR_MS);
    const table = sql.table(MAIL_REQUEST_MODEL);
    // Rows past the hour count for nothing: every take clears them, so the table stays small.
    await sql`DELETE FROM ${table} WHERE "createdAt" <= ${since}`.execute(this.db);
    const taken = await sql<{ id: string }>`
      INSERT INTO ${table} ("id", "addressKey", "createdAt")
      SELECT ${randomUUID()}, ${key}, ${now}
      WHERE (SELECT count(*) FROM ${table} WHERE "addressKey" = ${key} AND "createdAt" > ${since}) < ${MAILS_PER_ADDRESS_PER_HOUR}
      RETURNING "id"`.execute(this.db);
    return taken.rows.length > 0;
  }
}
