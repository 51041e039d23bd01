import "server-only";
import { getCurrentAdapter, type BetterAuthPlugin } from "better-auth";
import { signJWT, type JwtOptions } from "better-auth/plugins/jwt";
import type { Kysely } from "kysely";
import { EventOutbox, OUTBOX_MODEL, type EndedKind, type OutboxOptions, type OutboxRow } from "./outbox";

/** OpenID Connect Back-Channel Logout 1.0: with `sid`, that one session ended. */
export const BACKCHANNEL_LOGOUT = "http://schemas.openid.net/event/backchannel-logout";
/** OpenID RISC: the account is gone (the API deletes its tasks and refuses its tokens). */
export const ACCOUNT_PURGED = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
/** `exp − iat` of an event; the API takes at most 5 minutes. Each attempt signs a fresh one. */
export const EVENT_LIFETIME_SECONDS = 120;
/** The API accepts a token until this long after its `exp` (its clock leeway). */
const API_LEEWAY_SECONDS = 60;

/** An event's claims (RFC 8417 with SPEC's rules): `sub` always, `sid` only for one session. */
export function eventClaims(row: Pick<OutboxRow, "id" | "kind" | "userId" | "sessionId">, nowSeconds: number, issuer: string) {
  return {
    iss: issuer,
    aud: issuer,
    iat: nowSeconds,
    exp: nowSeconds + EVENT_LIFETIME_SECONDS,
    jti: row.id,
    sub: row.userId,
    ...(row.kind === "session" && row.sessionId ? { sid: row.sessionId } : {}),
    events: { [row.kind === "account" ? ACCOUNT_PURGED : BACKCHANNEL_LOGOUT]: {} },
  };
}

export interface SecurityEventsOptions {
  /** The store Better Auth was given (`database.db`), for the outbox's row-locking statements. */
  db: Kysely<unknown>;
  /** The jwt plugin's own options: events are signed exactly as access tokens are. */
  jwtOptions: JwtOptions;
  issuer: string;
  apiUrl: string;
  /** Access token lifetime: an event is kept until every token it covers has expired. */
  jwtExpiresInSeconds: number;
  /** Tuning and a clock for tests; `start: false` leaves the sender idle until kicked. */
  outbox?: Partial<Omit<OutboxOptions, "db" | "sign" | "eventsUrl">> & { start?: boolean };
}

/**
 * Tells the API when sessions and accounts end (SPEC "Sessions and revocation").
 *
 * Better Auth ends sessions in one place, its internal adapter, whose every path
 * (sign-out, revoke-session, revoke-sessions, revoke-other-sessions, change-password
 * with revokeOtherSessions, delete-user) deletes the rows through the per-row
 * `session.delete` database hooks, also for bulk deletes (with-hooks.mjs runs
 * them for each row found); auth.test.ts holds it to that. So the event is
 * recorded there, not in the buttons:
 *
 * - `delete.before` writes the outbox row through the current adapter, which is
 *   the transaction's when Better Auth runs the change in one (change-password
 *   does). Where it has none, the row is written before the session row is
 *   deleted: a crash in between leaves an event for a session that still exists
 *   (its API tokens are refused; the person signs in again), never an ended
 *   session without its event.
 * - `delete.after` (queued until the transaction commits) kicks the sender, so
 *   the event is signed after the session is gone and posted at once, without
 *   the sign-out request waiting for the API.
 *
 * A session that merely expired (Better Auth deletes it on next sight) needs no
 * event: it can mint no new token.
 */
export function securityEvents(options: SecurityEventsOptions) {
  return {
    id: "security-events",
    schema: {
      [OUTBOX_MODEL]: {
        fields: {
          // No reference to the user: the account-purged row outlives the user row.
          kind: { type: "string", required: true, input: false },
          userId: { type: "string", required: true, input: false, index: true },
          sessionId: { type: "string", required: false, input: false },
          createdAt: { type: "date", required: true, input: false },
          attempts: { type: "number", required: true, input: false, defaultValue: 0 },
          nextAttemptAt: { type: "date", required: true, input: false, index: true },
          leaseUntil: { type: "date", required: false, input: false },
          dropAfter: { type: "date", required: true, input: false },
        },
      },
    },
    init(ctx) {
      const outbox = new EventOutbox({
        ...options.outbox,
        db: options.db,
        eventsUrl: `${options.apiUrl}/auth/events`,
        sign: (row, nowSeconds) =>
          signJWT({ context: ctx } as Parameters<typeof signJWT>[0], {
            options: options.jwtOptions,
            payload: eventClaims(row, nowSeconds, options.issuer),
            header: { typ: "secevent+jwt" },
          }),
      });
      const now = options.outbox?.now ?? Date.now;
      const record = async (kind: EndedKind, userId: string, sessionId: string | null) => {
        const at = now();
        const adapter = await getCurrentAdapter(ctx.adapter);
        await adapter.create({
          model: OUTBOX_MODEL,
          data: {
            kind,
            userId,
            sessionId,
            createdAt: new Date(at),
            attempts: 0,
            nextAttemptAt: new Date(at),
            // A token minted just before this moment lives jwtExpiresIn more, plus the API's leeway.
            dropAfter: new Date(at + (options.jwtExpiresInSeconds + API_LEEWAY_SECONDS) * 1000),
          },
        });
      };
      if (options.outbox?.start !== false) outbox.start();
      return {
        context: { securityEventOutbox: outbox },
        options: {
          databaseHooks: {
            session: {
              delete: {
                before: async (session: { id: string; userId: string; expiresAt: Date | string }) => {
                  if (new Date(session.expiresAt).getTime() <= now()) return;
                  await record("session", session.userId, session.id);
                },
                after: async () => outbox.kick(),
              },
            },
            user: {
              delete: {
                before: async (user: { id: string }) => {
                  await record("account", user.id, null);
                },
                after: async () => outbox.kick(),
              },
            },
          },
        },
      };
    },
  } satisfies BetterAuthPlugin;
}

/** The outbox of an auth instance built with {@link securityEvents} (for tests and shutdown). */
export async function outboxOf(auth: { $context: Promise<object> }): Promise<EventOutbox> {
  const context = (await auth.$context) as { securityEventOutbox?: EventOutbox };
  if (!context.securityEventOutbox) throw new Error("the security-events plugin is not installed");
  return context.securityEventOutbox;
}
