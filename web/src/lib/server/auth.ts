import "server-only";
import fs from "node:fs";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { jwt, type JWKOptions, type JwtOptions } from "better-auth/plugins/jwt";
import { SignJWT, type JWTPayload } from "jose";
import { PostgresDialect, type Dialect } from "kysely";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth-messages";
import { readAuthConfig, type AuthConfig } from "./auth-config";
import { loadRootEnv, repoRoot } from "./root-env";

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
    definePayload: ({ user }: { user: { email: string; name: string } }) => ({ email: user.email, name: user.name }),
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

function buildAuthOptions(config: AuthConfig, dialect: Dialect) {
  return {
    appName: "Todo",
    baseURL: config.baseURL,
    secret: config.secret,
    trustedOrigins: config.trustedOrigins,
    database: { dialect, type: "postgres" as const },
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      // The same limits the forms check and word their messages with.
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
    },
    session: {
      expiresIn: config.sessionExpiresInSeconds,
      updateAge: 24 * 60 * 60,
    },
    telemetry: { enabled: false },
    ...(config.rateLimitEnabled === undefined ? {} : { rateLimit: { enabled: config.rateLimitEnabled } }),
    plugins: [jwt(jwtPluginOptions(config))],
  };
}

/**
 * A Better Auth instance on `dialect`, with its tables (user, session, account,
 * verification, jwks) migrated first. The server does this when it starts
 * (src/instrumentation.ts) or else on first use, never during `next build`.
 */
export async function createMigratedAuth(config: AuthConfig, dialect: Dialect) {
  const options = buildAuthOptions(config, dialect);
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  return betterAuth(options);
}

export type Auth = Awaited<ReturnType<typeof createMigratedAuth>>;

async function createAuth(): Promise<Auth> {
  loadRootEnv();
  const config = readAuthConfig(process.env, repoRoot());
  return createMigratedAuth(config, await createDialect(config));
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
