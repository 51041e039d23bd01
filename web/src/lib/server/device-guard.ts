import "server-only";
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";

/**
 * `todo login`'s device codes (Better Auth's deviceAuthorization plugin), closed
 * where an attacker probed them:
 *
 * - `/device/code` refuses a `user_id`: the plugin would bind the code to that
 *   account before anyone looked it up, so an anonymous caller could show a code
 *   as someone else's and skip the lookup limit of `GET /device`.
 * - `/device/approve` and `/device/deny` come under the same limit as lookups
 *   (5 per address within a code's lifetime, where rate limiting is on).
 * - Approve and deny answer one way, `400 invalid_request` with one sentence,
 *   for a code that does not exist, is not claimed yet, or is claimed by another
 *   account, so they tell nobody which codes exist or whose they are. Only the
 *   account that claimed a code hears more (expired, already used).
 */
export interface DeviceGuardOptions {
  /** A code's lifetime: the window of the approve/deny limit, as of lookups. */
  codeLifetimeSeconds: number;
}

export const DEVICE_LOOKUPS_PER_WINDOW = 5;
export const NOT_YOUR_CODE = "This code is not waiting for your approval. Check it against the terminal's, or run todo login again.";

const DECISION_PATHS = new Set(["/device/approve", "/device/deny"]);

/** The plugin's own spellings of a code: as typed, or upper-cased without dashes and spaces. */
function spellings(userCode: string): string[] {
  const normalized = userCode.replace(/[\s-]/g, "").toUpperCase();
  return normalized === userCode ? [userCode] : [userCode, normalized];
}

export function deviceGuard(options: DeviceGuardOptions) {
  return {
    id: "device-guard",
    rateLimit: [
      {
        pathMatcher: (path: string) => DECISION_PATHS.has(path),
        window: options.codeLifetimeSeconds,
        max: DEVICE_LOOKUPS_PER_WINDOW,
      },
    ],
    hooks: {
      before: [
        {
          matcher: (context) => context.path === "/device/code",
          handler: createAuthMiddleware(async (ctx) => {
            if (ctx.body && typeof ctx.body === "object" && "user_id" in ctx.body) {
              throw new APIError("BAD_REQUEST", {
                error: "invalid_request",
                error_description: "user_id is not accepted: a code is claimed by the account that looks it up.",
              });
            }
          }),
        },
        {
          matcher: (context) => !!context.path && DECISION_PATHS.has(context.path),
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx);
            // Signed out: the plugin's own 401, which says nothing about the code.
            if (!session) return;
            const userCode = (ctx.body as { userCode?: unknown } | undefined)?.userCode;
            let owner: string | null | undefined;
            if (typeof userCode === "string") {
              for (const value of spellings(userCode)) {
                const row = await ctx.context.adapter.findOne<{ userCode: string; userId: string | null }>({
                  model: "deviceCode",
                  where: [{ field: "userCode", value }],
                });
                if (row?.userCode === value) {
                  owner = row.userId;
                  break;
                }
              }
            }
            if (owner !== session.user.id) {
              throw new APIError("BAD_REQUEST", { error: "invalid_request", error_description: NOT_YOUR_CODE });
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
