import "server-only";
import path from "node:path";
import { parseTrustedProxies, TrustedProxiesError, type TrustedProxies } from "./client-ip";
import { readApiUrl } from "./public-config";

export const ASYMMETRIC_ALGS = ["EdDSA", "ES256", "RS256", "PS256"] as const;
export type AsymmetricAlg = (typeof ASYMMETRIC_ALGS)[number];
export type JwtAlg = "HS256" | AsymmetricAlg;

export interface AuthConfig {
  /** Better Auth's base URL; also the JWT `iss` and `aud`, which the API compares verbatim. */
  baseURL: string;
  secret: string;
  jwtAlg: JwtAlg;
  jwtExpiresInSeconds: number;
  sessionExpiresInSeconds: number;
  /** PostgreSQL connection string; when absent the embedded PGlite store is used. */
  databaseUrl: string | undefined;
  pgliteDir: string;
  trustedOrigins: string[];
  /**
   * Better Auth's own rate limit (3 sign-in/sign-up attempts per 10 s per IP,
   * 100 requests per 10 s otherwise). Undefined keeps its default: on in
   * production, off in development.
   */
  rateLimitEnabled: boolean | undefined;
  /**
   * Peers whose `X-Forwarded-For` / `X-Real-IP` name the client (`TRUSTED_PROXIES`,
   * none by default): from anyone else the socket address is the client.
   */
  trustedProxies: TrustedProxies;
  /** Sessions one account may hold at once; the oldest past it end (MAX_SESSIONS_PER_USER). */
  maxSessionsPerUser: number;
  /** Failed password sign-ins allowed per email within the window; 0 switches the limit off. */
  signInMaxFailures: number;
  signInFailureWindowSeconds: number;
  /** How long a `todo login` code may wait for approval on /device (RFC 8628 `expires_in`). */
  deviceCodeExpiresInSeconds: number;
  /**
   * The task API's base URL (NEXT_PUBLIC_API_URL, the one the browser uses):
   * security events about ended sessions are pushed to its `/auth/events`.
   */
  apiUrl: string;
  /**
   * Where mail goes (SMTP_URL: `smtp://user:pass@host:587`, STARTTLS when offered;
   * `smtps://` for implicit TLS). Unset: each mail is only logged, recipient and
   * subject, without its links. Never logged itself (it may hold a password).
   */
  smtpUrl: string | undefined;
  /** The From of every mail (MAIL_FROM); default `Todo <no-reply@{BETTER_AUTH_URL's host}>`. */
  mailFrom: string;
  /**
   * REQUIRE_EMAIL_VERIFICATION: accounts made while it is on cannot sign in until
   * their address is confirmed; older accounts are asked, never kept out.
   */
  requireEmailVerification: boolean;
}

export class AuthConfigError extends Error {
  override name = "AuthConfigError";
}

const DEFAULT_BASE_URL = "http://localhost:3000";
const DEFAULT_JWT_EXPIRES_IN_SECONDS = 15 * 60;
const SESSION_EXPIRES_IN_SECONDS = 7 * 24 * 60 * 60;
const MIN_SECRET_BYTES = 32;
const DEFAULT_SIGN_IN_MAX_FAILURES = 5;
/** Sessions per account: a person's browsers and terminals, with room to spare. */
const DEFAULT_MAX_SESSIONS_PER_USER = 50;
const DEFAULT_SIGN_IN_FAILURE_WINDOW_SECONDS = 15 * 60;
const DEFAULT_DEVICE_CODE_EXPIRES_IN_SECONDS = 15 * 60;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseJwtAlg(value: string | undefined): JwtAlg {
  const alg = nonEmpty(value) ?? "HS256";
  if (alg === "HS256") return alg;
  const match = ASYMMETRIC_ALGS.find((candidate) => candidate === alg);
  if (!match) {
    throw new AuthConfigError(
      `BETTER_AUTH_JWT_ALG must be one of HS256, ${ASYMMETRIC_ALGS.join(", ")}; got "${alg}".`,
    );
  }
  return match;
}

function parseExpiresIn(value: string | undefined): number {
  const raw = nonEmpty(value);
  if (raw === undefined) return DEFAULT_JWT_EXPIRES_IN_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new AuthConfigError(
      `BETTER_AUTH_JWT_EXPIRES_IN must be a whole number of seconds (at least 1); got "${raw}".`,
    );
  }
  return seconds;
}

function parseWholeNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  const raw = nonEmpty(value);
  if (raw === undefined) return fallback;
  const number = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(number) || number < min) {
    throw new AuthConfigError(`${name} must be a whole number (at least ${min}); got "${raw}".`);
  }
  return number;
}

function parseSwitch(name: string, value: string | undefined): boolean | undefined {
  const raw = nonEmpty(value)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (["on", "true", "1", "yes"].includes(raw)) return true;
  if (["off", "false", "0", "no"].includes(raw)) return false;
  throw new AuthConfigError(`${name} must be "on" or "off"; got "${value}".`);
}

/** An smtp:// or smtps:// URL; the message never repeats it, as it may carry a password. */
function parseSmtpUrl(value: string | undefined): string | undefined {
  const raw = nonEmpty(value);
  if (raw === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "smtp:" && protocol !== "smtps:") {
    throw new AuthConfigError("SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:password@host:587).");
  }
  return raw;
}

/**
 * Reads and checks every setting of the auth side. `repoRoot` anchors the
 * default PGlite directory (`<repo root>/data/auth`).
 */
export function readAuthConfig(env: Readonly<Record<string, string | undefined>>, repoRoot: string): AuthConfig {
  const secret = env.BETTER_AUTH_SECRET ?? "";
  if (Buffer.byteLength(secret, "utf8") < MIN_SECRET_BYTES) {
    throw new AuthConfigError(
      `BETTER_AUTH_SECRET must be set to at least ${MIN_SECRET_BYTES} bytes ` +
        "(for example the output of `openssl rand -base64 32`) in the repo root .env or the environment.",
    );
  }
  // The API compares iss/aud with BETTER_AUTH_URL as plain strings, so a
  // trailing slash would make every token fail.
  const baseURL = (nonEmpty(env.BETTER_AUTH_URL) ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  try {
    new URL(baseURL);
  } catch {
    throw new AuthConfigError(`BETTER_AUTH_URL must be an absolute URL; got "${baseURL}".`);
  }
  const pgliteDir = path.resolve(repoRoot, nonEmpty(env.AUTH_PGLITE_DIR) ?? path.join("data", "auth"));
  const extraOrigins = (env.BETTER_AUTH_TRUSTED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(env.TRUSTED_PROXIES);
  } catch (error) {
    if (error instanceof TrustedProxiesError) throw new AuthConfigError(error.message);
    throw error;
  }
  return {
    baseURL,
    secret,
    jwtAlg: parseJwtAlg(env.BETTER_AUTH_JWT_ALG),
    jwtExpiresInSeconds: parseExpiresIn(env.BETTER_AUTH_JWT_EXPIRES_IN),
    sessionExpiresInSeconds: SESSION_EXPIRES_IN_SECONDS,
    databaseUrl: nonEmpty(env.AUTH_DATABASE_URL),
    pgliteDir,
    trustedOrigins: [...new Set([new URL(baseURL).origin, ...extraOrigins])],
    rateLimitEnabled: parseSwitch("BETTER_AUTH_RATE_LIMIT", env.BETTER_AUTH_RATE_LIMIT),
    trustedProxies,
    maxSessionsPerUser: parseWholeNumber(
      "MAX_SESSIONS_PER_USER",
      env.MAX_SESSIONS_PER_USER,
      DEFAULT_MAX_SESSIONS_PER_USER,
      1,
    ),
    signInMaxFailures: parseWholeNumber("SIGN_IN_MAX_FAILURES", env.SIGN_IN_MAX_FAILURES, DEFAULT_SIGN_IN_MAX_FAILURES, 0),
    signInFailureWindowSeconds: parseWholeNumber(
      "SIGN_IN_FAILURE_WINDOW_SECS",
      env.SIGN_IN_FAILURE_WINDOW_SECS,
      DEFAULT_SIGN_IN_FAILURE_WINDOW_SECONDS,
      1,
    ),
    deviceCodeExpiresInSeconds: parseWholeNumber(
      "DEVICE_CODE_EXPIRES_SECS",
      env.DEVICE_CODE_EXPIRES_SECS,
      DEFAULT_DEVICE_CODE_EXPIRES_IN_SECONDS,
      1,
    ),
    apiUrl: readApiUrl(env),
    smtpUrl: parseSmtpUrl(env.SMTP_URL),
    mailFrom: nonEmpty(env.MAIL_FROM) ?? `Todo <no-reply@${new URL(baseURL).hostname}>`,
    requireEmailVerification: parseSwitch("REQUIRE_EMAIL_VERIFICATION", env.REQUIRE_EMAIL_VERIFICATION) ?? false,
  };
}
