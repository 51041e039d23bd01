import "server-only";
import fs from "node:fs";
import { betterAuth } from "better-auth";
import { APIError } from "better-auth/api";
import { getMigrations } from "better-auth/db/migration";
import { bearer } from "better-auth/plugins/bearer";
import { deviceAuthorization } from "better-auth/plugins/device-authorization";
import { jwt, type JWKOptions, type JwtOptions } from "better-auth/plugins/jwt";
import { SignJWT, type JWTPayload } from "jose";
import { Kysely, PostgresDialect, type Dialect } from "kysely";
import { isDeviceClient } from "@/lib/device-clients";
import {
  characterCount,
  MAX_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  NAME_TOO_LONG,
  NAME_TOO_LONG_MESSAGE,
} from "@/lib/auth-messages";
import { accountGuard } from "./account-guard";
import { deviceGuard } from "./device-guard";
import { readAuthConfig, type AuthConfig } from "./auth-config";
import { authRequestHandler, CLIENT_ADDRESS_HEADER } from "./auth-request";
import { AccountMail } from "./mail/account-mail";
import { Mailer } from "./mail/mailer";
import { securityEvents, type SecurityEventsOptions } from "./security-events/plugin";
import { loadRootEnv, repoRoot } from "./root-env";
import { signInLimit } from "./sign-in-limit";
import { withoutSessionTokenHeader } from "./strip-session-token";

/**
 * The jwt() plugin signs with its own key pair (EdDSA by default). For HS256
 * its `jwt.sign` hook signs with the shared secret instead; the plugin then
 * insists on `jwks.remoteUrl` and `keyPairConfig.alg`, which only feed its
 * discovery metadata, and `/api/auth/jwks` answers 404 (there are no public keys).
 */
export function jwtPluginOptions(config: AuthConfig): JwtOptions {
  const claims = {
    // Set explicitly: the API compares both with BETTER_AUTH_URL verbatim.
    issuer: config.baseURL,
    audience: config.baseURL,
    expirationTime: `${config.jwtExpiresInSeconds}s`,
    // `sub` (the user id) is added by the plugin; the rest of the user row stays out of the token.
    // `sid` names the session, so the API can refuse its tokens once it ends (SPEC "Sessions and revocation").
    // `emailVerified` says whether `email` is confirmed (the API mails reminders only to a confirmed one).
    definePayload: ({ user, session }: { user: { email: string; name: string; emailVerified: boolean }; session: { id: string } }) => ({
      email: user.email,
      emailVerified: user.emailVerified,
      name: user.name,
      sid: session.id,
    }),
  };
  if (config.jwtAlg === "HS256") {
    const key = new TextEncoder().encode(config.secret);
    return {
      jwks: { remoteUrl: `${config.baseURL}/api/auth/jwks`, keyPairConfig: { alg: "EdDSA" } },
      jwt: {
        ...claims,
        sign: (payload: JWTPayload, header) =>
          new SignJWT(payload).setProtectedHeader({ typ: "JWT", ...header, alg: "HS256" }).sign(key),
      },
    };
  }
  const keyPairConfig: JWKOptions =
    config.jwtAlg === "EdDSA" ? { alg: "EdDSA", crv: "Ed25519" } : config.jwtAlg === "ES256" ? { alg: "ES256" } : { alg: config.jwtAlg };
  return { jwks: { keyPairConfig }, jwt: claims };
}

async function createDialect(config: AuthConfig): Promise<Dialect> {
  if (config.databaseUrl) {
    const { Pool } = await import("pg");
    return new PostgresDialect({ pool: new Pool({ connectionString: config.databaseUrl }) });
  }
  // Imported lazily so PGlite (WebAssembly) only loads when it is the store.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("kysely-pglite-dialect"),
  ]);
  fs.mkdirSync(config.pgliteDir, { recursive: true });
  return new PGliteDialect(new PGlite(config.pgliteDir));
}

/**
 * Names are capped at MAX_NAME_LENGTH characters wherever a user row is
 * written (sign-up, update-user, and any path added later), since every API
 * token carries the name.
 */
async function refuseLongName(user: { name?: unknown }): Promise<void> {
  if (typeof user.name === "string" && characterCount(user.name) > MAX_NAME_LENGTH) {
    throw new APIError("BAD_REQUEST", { code: NAME_TOO_LONG, message: NAME_TOO_LONG_MESSAGE });
  }
}

/** What tests and the server may hand in besides the settings. */
export interface AuthExtras {
  outbox?: SecurityEventsOptions["outbox"];
  /** The mailer (default: one for SMTP_URL and MAIL_FROM). */
  mailer?: Mailer;
}

function buildAuthOptions(config: AuthConfig, db: Kysely<unknown>, accountMail: AccountMail, extras: AuthExtras) {
  const jwtOptions = jwtPluginOptions(config);
  return {
    appName: "Todo",
    baseURL: config.baseURL,
    secret: config.secret,
    trustedOrigins: config.trustedOrigins,
    database: { db, type: "postgres" as const },
    emailAndPassword: {
      enabled: true,
      // With REQUIRE_EMAIL_VERIFICATION a new account signs in once its address is
      // confirmed; Better Auth then also answers a sign-up with a taken address
      // like any other (the owner gets a mail), so the form says nothing about who has an account.
      autoSignIn: !config.requireEmailVerification,
      // The same limits the forms check and word their messages with.
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      // "Forgot password": a link that works once, for an hour; the new password ends
      // every session of the account (each through the session.delete hook, so each
      // sends its revocation event) and signs the person in here (account-mail.ts).
      sendResetPassword: accountMail.sendResetPassword,
      onPasswordReset: accountMail.onPasswordReset,
      resetPasswordTokenExpiresIn: 60 * 60,
      revokeSessionsOnPasswordReset: true,
      onExistingUserSignUp: accountMail.onExistingUserSignUp,
    },
    emailVerification: {
      sendVerificationEmail: accountMail.sendVerificationEmail,
      sendOnSignUp: true,
      // Following the link signs in (it proves the address, as a reset link does).
      autoSignInAfterVerification: true,
      expiresIn: 60 * 60,
    },
    session: {
      expiresIn: config.sessionExpiresInSeconds,
      updateAge: 24 * 60 * 60,
    },
    // The Account page deletes the account after the password is typed again, and
    // changes the address once the link sent to the new one is followed.
    user: { deleteUser: { enabled: true }, changeEmail: { enabled: true } },
    databaseHooks: {
      user: {
        create: { before: refuseLongName },
        update: { before: refuseLongName },
      },
    },
    advanced: {
      // Better Auth reads at most 100 rows where a read has no limit of its own, but
      // deletes every row a bulk delete matches: "sign out everywhere" then ended
      // sessions it never listed, or sent no event for them. Sessions per account
      // are capped (account-guard.ts), so reading every row is bounded.
      database: { defaultFindManyLimit: Number.MAX_SAFE_INTEGER },
      // The client's address as the route worked it out from the socket and
      // TRUSTED_PROXIES (auth-request.ts); never X-Forwarded-For as the client sent it.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    telemetry: { enabled: false },
    rateLimit: {
      ...(config.rateLimitEnabled === undefined ? {} : { enabled: config.rateLimitEnabled }),
      // PGlite is one process's store, so one process's memory is the right place for
      // its counters. On PostgreSQL several web instances may share the accounts, and
      // one limit must hold across them: the counters live in the database (Better
      // Auth's `rateLimit` table, updated with one conditional increment per request).
      storage: config.databaseUrl ? ("database" as const) : ("memory" as const),
    },
    plugins: [
      jwt(jwtOptions),
      securityEvents({
        db,
        jwtOptions,
        issuer: config.baseURL,
        apiUrl: config.apiUrl,
        jwtExpiresInSeconds: config.jwtExpiresInSeconds,
        outbox: extras.outbox,
      }),
      accountGuard({ maxSessionsPerUser: config.maxSessionsPerUser }),
      accountMail.plugin(),
      signInLimit({ maxFailures: config.signInMaxFailures, windowSeconds: config.signInFailureWindowSeconds }),
      // `todo login` (RFC 8628): the command line asks /device/code, the person
      // approves on /device, the command line's /device/token poll gets a session.
      // It then sends that session as `Authorization: Bearer` (the bearer plugin)
      // to /token and /sign-out, as it has no cookie jar.
      deviceGuard({ codeLifetimeSeconds: config.deviceCodeExpiresInSeconds }),
      deviceAuthorization({
        expiresIn: `${config.deviceCodeExpiresInSeconds}s`,
        interval: "5s",
        validateClient: isDeviceClient,
      }),
      bearer(),
    ],
  };
}

/**
 * A Better Auth instance on `dialect`, with its tables (user, session, account,
 * verification, jwks, securityEventOutbox) migrated first. The server does this when it starts
 * (src/instrumentation.ts) or else on first use, never during `next build`.
 */
export async function createMigratedAuth(config: AuthConfig, dialect: Dialect, extras: AuthExtras = {}) {
  // One Kysely for Better Auth, the security-event outbox and the mail limit, so on
  // PGlite (one connection) their statements queue on the same driver.
  const db = new Kysely<unknown>({ dialect });
  const accountMail = new AccountMail({
    db,
    mailer: extras.mailer ?? new Mailer({ smtpUrl: config.smtpUrl, from: config.mailFrom }),
    baseURL: config.baseURL,
    requireEmailVerification: config.requireEmailVerification,
  });
  const options = buildAuthOptions(config, db, accountMail, extras);
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  await accountMail.syncVerificationPolicy();
  return betterAuth(options);
}

export type Auth = Awaited<ReturnType<typeof createMigratedAuth>>;

/**
 * Every setting, read once from the environment and the repo root `.env`
 * (a failure is not kept: the next call reads again).
 */
let cachedConfig: AuthConfig | undefined;
export function getAuthConfig(): AuthConfig {
  if (!cachedConfig) {
    loadRootEnv();
    cachedConfig = readAuthConfig(process.env, repoRoot());
  }
  return cachedConfig;
}

async function createAuth(): Promise<Auth> {
  const config = getAuthConfig();
  return createMigratedAuth(config, await createDialect(config));
}

/**
 * Serves `/api/auth/*`: Better Auth's handler, told the client's real address
 * (see auth-request.ts), with `Retry-After` on its 429s and without the bearer
 * plugin's session-token header (see strip-session-token.ts).
 */
export async function handleAuthRequest(request: Request): Promise<Response> {
  const auth = await getAuth();
  return withoutSessionTokenHeader(await authRequestHandler(auth, getAuthConfig().trustedProxies)(request));
}

// Kept on globalThis so dev-mode module reloads reuse the one PGlite instance
// (PGlite allows a single open handle per data directory).
const holder = globalThis as typeof globalThis & { __todoAuth?: Promise<Auth> };

/**
 * The Better Auth instance, created and migrated once: at server start by
 * src/instrumentation.ts, or on first use if that failed (a failure is not
 * kept, so the next call tries again).
 */
export function getAuth(): Promise<Auth> {
  if (!holder.__todoAuth) {
    holder.__todoAuth = createAuth().catch((error: unknown) => {
      holder.__todoAuth = undefined;
      throw error;
    });
  }
  return holder.__todoAuth;
}
