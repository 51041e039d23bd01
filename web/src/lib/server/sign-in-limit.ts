import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { BetterAuthPlugin, DBAdapter } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { TOO_MANY_FAILED_SIGN_INS } from "@/lib/auth-messages";

/**
 * A limit on failed password sign-ins per account, on top of Better Auth's
 * per-address limit, so that an attack on one account spread over many
 * addresses is slowed too.
 *
 * Every attempt at `/sign-in/email` takes a slot for its email address before
 * the password is checked (one guarded UPDATE: the count goes up only while it
 * is below the limit). A wrong password keeps its slot; a successful sign-in
 * clears that address's counter (only someone who knows the password can do
 * that); any other outcome (a malformed email, say) gives its slot back. Once
 * `maxFailures` slots are taken within `windowSeconds` of the first, further
 * attempts for that email are answered 429 with `Retry-After` until that window
 * has passed, the right password included.
 *
 * A device that has signed in to the account before is not held up by what
 * others do (OWASP's "device cookies"): a successful sign-in leaves a signed,
 * httpOnly cookie naming that browser and account, and attempts that carry it
 * count against that device alone (the same `maxFailures` per window), not the
 * account's shared count. So anyone can pause sign-ins to an account from new
 * devices, with 5 guesses per window among all of their addresses as before,
 * but the person goes on signing in from a browser they used before, and a
 * stolen device cookie buys no more than its own 5 guesses. A success from a
 * known device clears only that device's count; from a new device, the account's.
 *
 * The count is kept in the accounts store (table `signInFailure`), so every web
 * instance on one PostgreSQL shares it. It is kept per email whether an account
 * exists or not, so the 429 says nothing about which emails have accounts, and
 * by a SHA-256 of the lower-cased email, so the table holds no addresses people
 * typed.
 */
export interface SignInLimitOptions {
  /** Failed sign-ins allowed per email within the window; 0 switches the limit off. */
  maxFailures: number;
  windowSeconds: number;
  /** The clock, for tests. */
  now?: () => number;
}

export const SIGN_IN_FAILURE_MODEL = "signInFailure";
/** The device cookie: `<account key>:<device id>`, signed with BETTER_AUTH_SECRET. */
export const KNOWN_DEVICE_COOKIE = "todo.known_device";
const KNOWN_DEVICE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;
const SIGN_IN_PATH = "/sign-in/email";
const SIGN_UP_PATH = "/sign-up/email";

interface FailureRow {
  key: string;
  count: number | string;
  windowStart: number | string;
}

type Outcome = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The counter's key for an email as typed: Better Auth looks emails up lower-cased. */
export function signInFailureKey(email: unknown): string | undefined {
  if (typeof email !== "string" || email.length === 0) return undefined;
  return createHash("sha256").update(email.toLowerCase()).digest("base64url");
}

async function takeSlot(adapter: DBAdapter, key: string, now: number, max: number, windowMs: number): Promise<Outcome> {
  // A handful of rounds settles any race (a row created or reset under us); past
  // that, refusing is the safe answer.
  for (let round = 0; round < 5; round++) {
    const row = await adapter.findOne<FailureRow>({ model: SIGN_IN_FAILURE_MODEL, where: [{ field: "key", value: key }] });
    if (!row) {
      try {
        await adapter.create({ model: SIGN_IN_FAILURE_MODEL, data: { key, count: 1, windowStart: now } });
      } catch (error) {
        // Another attempt created it first: read it again. No row means the store failed.
        const exists = await adapter.findOne<FailureRow>({ model: SIGN_IN_FAILURE_MODEL, where: [{ field: "key", value: key }] });
        if (!exists) throw error;
        continue;
      }
      // Rows whose window is over are kept only until the next new one.
      await adapter.deleteMany({
        model: SIGN_IN_FAILURE_MODEL,
        where: [{ field: "windowStart", operator: "lt", value: now - windowMs }],
      });
      return { allowed: true };
    }
    const windowStart = Number(row.windowStart);
    if (now - windowStart >= windowMs) {
      // The window is over: start a new one (only one racer wins the reset).
      const reset = await adapter.incrementOne({
        model: SIGN_IN_FAILURE_MODEL,
        where: [
          { field: "key", value: key },
          { field: "windowStart", operator: "lte", value: windowStart },
        ],
        increment: {},
        set: { count: 1, windowStart: now },
      });
      if (reset) return { allowed: true };
      continue;
    }
    const taken = await adapter.incrementOne({
      model: SIGN_IN_FAILURE_MODEL,
      where: [
        { field: "key", value: key },
        { field: "windowStart", operator: "gt", value: now - windowMs },
        { field: "count", operator: "lt", value: max },
      ],
      increment: { count: 1 },
    });
    if (taken) return { allowed: true };
    const fresh = await adapter.findOne<FailureRow>({ model: SIGN_IN_FAILURE_MODEL, where: [{ field: "key", value: key }] });
    if (fresh && now - Number(fresh.windowStart) < windowMs && Number(fresh.count) >= max) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((Number(fresh.windowStart) + windowMs - now) / 1000)) };
    }
  }
  return { allowed: false, retryAfterSeconds: 1 };
}

async function giveSlotBack(adapter: DBAdapter, key: string): Promise<void> {
  await adapter.incrementOne({
    model: SIGN_IN_FAILURE_MODEL,
    where: [
      { field: "key", value: key },
      { field: "count", operator: "gt", value: 0 },
    ],
    increment: { count: -1 },
  });
}

/** The request's device id when it carries a valid device cookie for the account `key`. */
async function knownDevice(
  ctx: { getSignedCookie: (name: string, secret: string) => Promise<string | false | null>; context: { secret: string } },
  key: string,
): Promise<string | undefined> {
  const value = await ctx.getSignedCookie(KNOWN_DEVICE_COOKIE, ctx.context.secret);
  if (typeof value !== "string") return undefined;
  const separator = value.lastIndexOf(":");
  return separator > 0 && value.slice(0, separator) === key ? value.slice(separator + 1) : undefined;
}

/** Leaves the device cookie for the account `key` on this answer. */
async function rememberDevice(
  ctx: {
    setSignedCookie: (name: string, value: string, secret: string, options: object) => Promise<unknown>;
    context: { secret: string; baseURL: string };
  },
  key: string,
): Promise<void> {
  await ctx.setSignedCookie(KNOWN_DEVICE_COOKIE, `${key}:${randomBytes(16).toString("base64url")}`, ctx.context.secret, {
    httpOnly: true,
    sameSite: "lax",
    secure: ctx.context.baseURL.startsWith("https://"),
    path: "/api/auth",
    maxAge: KNOWN_DEVICE_MAX_AGE_SECONDS,
  });
}

/** The counter an attempt counts against: its known device's, else the account's. */
function bucketOf(key: string, device: string | undefined): string {
  return device ? createHash("sha256").update(`device:${device}`).digest("base64url") : key;
}

function emailOf(body: unknown): unknown {
  return body && typeof body === "object" ? (body as { email?: unknown }).email : undefined;
}

export function signInLimit(options: SignInLimitOptions) {
  const { maxFailures, windowSeconds } = options;
  const now = options.now ?? (() => Date.now());
  const windowMs = windowSeconds * 1000;
  const enabled = maxFailures > 0;
  const matcher = (context: { path?: string }) => enabled && context.path === SIGN_IN_PATH;

  return {
    id: "todo-sign-in-limit",
    schema: {
      [SIGN_IN_FAILURE_MODEL]: {
        fields: {
          key: { type: "string", required: true, unique: true },
          count: { type: "number", required: true },
          windowStart: { type: "number", bigint: true, required: true, index: true },
        },
      },
    },
    hooks: {
      before: [
        {
          matcher,
          handler: createAuthMiddleware(async (ctx) => {
            const key = signInFailureKey(emailOf(ctx.body));
            if (!key) return;
            const bucket = bucketOf(key, await knownDevice(ctx, key));
            const outcome = await takeSlot(ctx.context.adapter, bucket, now(), maxFailures, windowMs);
            if (outcome.allowed) return;
            throw new APIError(
              "TOO_MANY_REQUESTS",
              {
                code: TOO_MANY_FAILED_SIGN_INS,
                message: "Too many failed sign-ins for this account. Try again later.",
                retryAfter: outcome.retryAfterSeconds,
              },
              { "Retry-After": String(outcome.retryAfterSeconds) },
            );
          }),
        },
      ],
      after: [
        {
          // Signing up signs in too: the browser that made the account is a known device.
          // Only when a session was really made: Better Auth answers a sign-up for a
          // taken address with a made-up success when verification is required, and
          // a device cookie then would give anyone fresh guesses at that account.
          matcher: (context: { path?: string }) => enabled && context.path === SIGN_UP_PATH,
          handler: createAuthMiddleware(async (ctx) => {
            const key = signInFailureKey(emailOf(ctx.body));
            if (key && !isAPIError(ctx.context.returned) && ctx.context.newSession) await rememberDevice(ctx, key);
          }),
        },
        {
          matcher,
          handler: createAuthMiddleware(async (ctx) => {
            const key = signInFailureKey(emailOf(ctx.body));
            if (!key) return;
            const device = await knownDevice(ctx, key);
            const bucket = bucketOf(key, device);
            const returned = ctx.context.returned;
            if (isAPIError(returned)) {
              // A wrong password (or an unknown email) keeps its slot: that is the failure counted.
              if (returned.statusCode !== 401) await giveSlotBack(ctx.context.adapter, bucket);
              return;
            }
            await ctx.context.adapter.deleteMany({ model: SIGN_IN_FAILURE_MODEL, where: [{ field: "key", value: bucket }] });
            // This browser has now signed in to this account: it is a known device from here on.
            if (!device) await rememberDevice(ctx, key);
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
