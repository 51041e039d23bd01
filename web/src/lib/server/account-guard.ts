import "server-only";
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { PASSWORD_REQUIRED, PASSWORD_REQUIRED_MESSAGE } from "@/lib/auth-messages";

/**
 * Account and session rules Better Auth has no option for (SECURITY.md,
 * "Accounts and sessions"):
 *
 * - At most `maxSessionsPerUser` sessions per account: each new session ends the
 *   oldest past the cap through Better Auth's own `deleteSessions`, so each one
 *   ended sends its security event (the `session.delete` hook). A stolen session
 *   can no longer pile up sessions to hide one among them.
 * - Deleting the account needs the password, whatever the session's age (Better
 *   Auth checks a password it is given; without one it only checks freshness).
 * - No session token in a JSON answer that goes to a client over HTTP: sign-up,
 *   sign-in, `/get-session`, `/list-sessions` and `/change-password` answers lose
 *   their `token` fields (the session cookie is httpOnly; the sessions page needs
 *   ids only). Server code calling `auth.api.*` directly still gets them. The
 *   command line reads its own session from `/device/token` only, so its bearer
 *   session cannot read any other session's token either.
 * - `/token` (access tokens) is answered `Cache-Control: no-store` and
 *   `Vary: Cookie, Authorization`: the answer depends on the session, and no
 *   cache may keep or share it.
 */
export interface AccountGuardOptions {
  /** Sessions one account may hold; the oldest beyond it end. */
  maxSessionsPerUser: number;
}

/** Endpoints whose JSON carries session tokens Better Auth puts there. */
const TOKEN_BEARING_PATHS = new Set(["/sign-up/email", "/sign-in/email", "/get-session", "/list-sessions", "/change-password", "/update-session"]);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** `body` without session tokens: a top-level `token`, `session.token`, and each listed session's `token`. */
export function withoutSessionTokens(body: unknown): unknown {
  if (Array.isArray(body)) return body.map((item) => (isObject(item) ? withoutKey(item, "token") : item));
  if (!isObject(body)) return body;
  const stripped = withoutKey(body, "token");
  if (isObject(stripped.session)) stripped.session = withoutKey(stripped.session, "token");
  return stripped;
}

function withoutKey(object: Json, key: string): Json {
  const rest = { ...object };
  delete rest[key];
  return rest;
}

export function accountGuard(options: AccountGuardOptions) {
  return {
    id: "account-guard",
    init(ctx) {
      return {
        options: {
          databaseHooks: {
            session: {
              create: {
                after: async (session: { userId: string }) => {
                  // The newest `max` stay; every older one goes, with its event.
                  const beyond = await ctx.adapter.findMany<{ token: string }>({
                    model: "session",
                    where: [{ field: "userId", value: session.userId }],
                    sortBy: { field: "createdAt", direction: "desc" },
                    offset: options.maxSessionsPerUser,
                  });
                  if (beyond.length) await ctx.internalAdapter.deleteSessions(beyond.map((row) => row.token));
                },
              },
            },
          },
        },
      };
    },
    hooks: {
      before: [
        {
          matcher: (context) => context.path === "/delete-user",
          handler: createAuthMiddleware(async (ctx) => {
            const password = (ctx.body as { password?: unknown } | undefined)?.password;
            if (typeof password !== "string" || password.length === 0) {
              throw new APIError("BAD_REQUEST", { code: PASSWORD_REQUIRED, message: PASSWORD_REQUIRED_MESSAGE });
            }
          }),
        },
      ],
      after: [
        {
          // Only answers to HTTP requests: server code's own calls keep what they asked for.
          matcher: (context) => !!context.request && !!context.path && TOKEN_BEARING_PATHS.has(context.path),
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned;
            if (returned === undefined || returned === null || returned instanceof Response || returned instanceof Error) return;
            return ctx.json(withoutSessionTokens(returned) as Record<string, unknown>);
          }),
        },
        {
          matcher: (context) => context.path === "/token",
          handler: createAuthMiddleware(async (ctx) => {
            ctx.setHeader("Cache-Control", "no-store");
            ctx.setHeader("Vary", "Cookie, Authorization");
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
