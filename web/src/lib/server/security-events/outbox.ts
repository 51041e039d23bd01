import "server-only";
import { sql, type Kysely } from "kysely";

/** Better Auth's model (and table) name for the outbox; its columns are the plugin schema's fields. */
export const OUTBOX_MODEL = "securityEventOutbox";

/** What ended: one session (`sid`), or the whole account. */
export type EndedKind = "session" | "account";

/** One undelivered event as stored. The row id is the event's `jti`, so a resend is recognised as a replay. */
export interface OutboxRow {
  id: string;
  kind: EndedKind;
  userId: string;
  sessionId: string | null;
  attempts: number;
  dropAfter: Date;
}

export type SendOutcome = "delivered" | "refused" | "retry";

export interface OutboxOptions {
  /** The accounts store, the same Kysely instance Better Auth uses. */
  db: Kysely<unknown>;
  /** Signs a fresh Security Event Token for a row (a new `iat`/`exp` on every attempt). */
  sign: (row: OutboxRow, nowSeconds: number) => Promise<string>;
  /** The API's `POST /auth/events`. */
  eventsUrl: string;
  now?: () => number;
  /** First retry delay; it doubles with every failed attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a claimed row stays out of the other senders' reach; an instance dying mid-send frees it when this runs out. */
  leaseMs?: number;
  requestTimeoutMs?: number;
  /** How often to look for due rows besides the kicks (rows of other instances, expired leases). */
  pollMs?: number;
  log?: Pick<Console, "info" | "warn" | "error">;
}

const CLAIM_BATCH = 50;

/**
 * Delivers the rows of the outbox table to the API, from any number of web
 * instances sharing one store. Claiming is one statement: the due rows are
 * locked with `FOR UPDATE SKIP LOCKED` (two senders never wait for or take the
 * same row) and leased by `leaseUntil` until the answer is in. 202 deletes the
 * row, 400 drops it (it can never succeed) and anything else (no answer, 5xx)
 * schedules the next attempt with exponential backoff. A row is dropped unsent
 * only once `dropAfter` has passed, when every token it covers has expired.
 */
export class EventOutbox {
  private readonly db: Kysely<unknown>;
  private readonly now: () => number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly leaseMs: number;
  private readonly requestTimeoutMs: number;
  private readonly pollMs: number;
  private readonly log: Pick<Console, "info" | "warn" | "error">;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;

  constructor(private readonly options: OutboxOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
    this.baseBackoffMs = options.baseBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.pollMs = options.pollMs ?? 5_000;
    this.log = options.log ?? console;
  }

  /** The delay after `attempts` failed attempts: base · 2^(attempts−1), capped. */
  backoffMs(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Looks for due rows now and then every `pollMs` (the timer does not keep the process alive). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends what is due now, without waiting for it; kicks during a pass run one more pass after it. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes().finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  /** Resolves once the pass under way (if any) and those it asked for are done. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.deliverDue();
      } catch (error) {
        // The store may be briefly unreachable; the next poll tries again.
        this.log.error("security event outbox: a delivery pass failed", errorText(error));
      }
    } while (this.again);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.pollMs);
    this.timer.unref?.();
  }

  /** One pass: drop what expired, claim what is due, send each, settle each. Returns how many were sent. */
  async deliverDue(): Promise<number> {
    await this.dropExpired();
    const rows = await this.claim();
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  /** Deletes rows whose tokens have all expired: there is nothing left for them to refuse. */
  async dropExpired(): Promise<number> {
    const now = new Date(this.now());
    const result = await sql`DELETE FROM ${sql.table(OUTBOX_MODEL)} WHERE "dropAfter" <= ${now}`.execute(this.db);
    const dropped = Number(result.numAffectedRows ?? 0);
    if (dropped > 0) {
      this.log.warn(`security event outbox: ${dropped} event(s) never reached the API before the tokens they cover expired; dropped`);
    }
    return dropped;
  }

  /** Claims up to one batch of due rows for this sender (the attempt is counted now). */
  async claim(): Promise<OutboxRow[]> {
    const now = new Date(this.now());
    const leaseUntil = new Date(this.now() + this.leaseMs);
    const table = sql.table(OUTBOX_MODEL);
    const result = await sql<OutboxRow>`
      UPDATE ${table} SET "leaseUntil" = ${leaseUntil}, "attempts" = "attempts" + 1
      WHERE "id" IN (
        SELECT "id" FROM ${table}
        WHERE "nextAttemptAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" <= ${now}) AND "dropAfter" > ${now}
        ORDER BY "nextAttemptAt"
        LIMIT ${CLAIM_BATCH}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "kind", "userId", "sessionId", "attempts", "dropAfter"`.execute(this.db);
    return result.rows.map((row) => ({ ...row, dropAfter: new Date(row.dropAfter) }));
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const outcome = await this.send(row);
    const table = sql.table(OUTBOX_MODEL);
    if (outcome === "retry") {
      const next = new Date(this.now() + this.backoffMs(row.attempts));
      await sql`UPDATE ${table} SET "leaseUntil" = NULL, "nextAttemptAt" = ${next} WHERE "id" = ${row.id}`.execute(this.db);
    } else {
      await sql`DELETE FROM ${table} WHERE "id" = ${row.id}`.execute(this.db);
    }
  }

  /** Posts one freshly signed event; never logs the token. */
  async send(row: OutboxRow): Promise<SendOutcome> {
    let response: Response;
    try {
      const token = await this.options.sign(row, Math.floor(this.now() / 1000));
      response = await fetch(this.options.eventsUrl, {
        method: "POST",
        headers: { "content-type": "application/secevent+jwt", accept: "application/json" },
        body: token,
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      this.log.warn(`security event outbox: the API is unreachable (attempt ${row.attempts}); will retry`, errorText(error));
      return "retry";
    }
    if (response.status === 202) {
      await response.body?.cancel();
      return "delivered";
    }
    const body = await response.text().catch(() => "");
    if (response.status === 400) {
      // Nothing about the event will change on a resend (a replayed jti means it was taken before).
      this.log.error(`security event outbox: the API refused the ${row.kind} event ${row.id}: ${describeRefusal(body)}`);
      return "refused";
    }
    this.log.warn(`security event outbox: the API answered ${response.status} (attempt ${row.attempts}); will retry`);
    return "retry";
  }
}

/** RFC 8935's `{"err", "description"}`, shortened for a log line. */
function describeRefusal(body: string): string {
  try {
    const parsed = JSON.parse(body) as { err?: unknown; description?: unknown };
    return `${String(parsed.err)}: ${String(parsed.description)}`.slice(0, 300);
  } catch {
    return "no RFC 8935 error body";
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
