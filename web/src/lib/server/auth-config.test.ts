import { describe, expect, it } from "vitest";
import { AuthConfigError, readAuthConfig } from "./auth-config";

const SECRET = "x".repeat(32);

describe("readAuthConfig", () => {
  it("defaults to HS256, 15-minute tokens, 7-day sessions and PGlite under <repo>/data/auth", () => {
    const config = readAuthConfig({ BETTER_AUTH_SECRET: SECRET }, "/repo");
    expect(config).toMatchObject({
      baseURL: "http://localhost:3000",
      jwtAlg: "HS256",
      jwtExpiresInSeconds: 900,
      sessionExpiresInSeconds: 7 * 24 * 3600,
      databaseUrl: undefined,
      pgliteDir: "/repo/data/auth",
      trustedOrigins: ["http://localhost:3000"],
      rateLimitEnabled: undefined,
      signInMaxFailures: 5,
      signInFailureWindowSeconds: 900,
      deviceCodeExpiresInSeconds: 900,
    });
    expect(config.trustedProxies.entries).toEqual([]);
  });

  it("reads every override", () => {
    const config = readAuthConfig(
      {
        BETTER_AUTH_SECRET: SECRET,
        BETTER_AUTH_URL: "http://127.0.0.1:3100/",
        BETTER_AUTH_JWT_ALG: "EdDSA",
        BETTER_AUTH_JWT_EXPIRES_IN: "20",
        AUTH_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
        AUTH_PGLITE_DIR: "/tmp/auth-e2e",
        BETTER_AUTH_TRUSTED_ORIGINS: "http://localhost:3100, http://127.0.0.1:3100",
        BETTER_AUTH_RATE_LIMIT: "off",
        TRUSTED_PROXIES: "10.0.0.0/8, ::1",
        SIGN_IN_MAX_FAILURES: "0",
        SIGN_IN_FAILURE_WINDOW_SECS: "60",
        DEVICE_CODE_EXPIRES_SECS: "30",
      },
      "/repo",
    );
    expect(config).toMatchObject({
      baseURL: "http://127.0.0.1:3100", // no trailing slash: the API compares iss/aud verbatim
      jwtAlg: "EdDSA",
      jwtExpiresInSeconds: 20,
      databaseUrl: "postgres://postgres@127.0.0.1:5432/test",
      pgliteDir: "/tmp/auth-e2e",
      trustedOrigins: ["http://127.0.0.1:3100", "http://localhost:3100"],
      rateLimitEnabled: false,
      signInMaxFailures: 0,
      signInFailureWindowSeconds: 60,
      deviceCodeExpiresInSeconds: 30,
    });
    expect(config.trustedProxies.entries).toEqual(["10.0.0.0/8", "::1"]);
    expect(config.trustedProxies.has("10.1.2.3")).toBe(true);
  });

  it("refuses a missing or short secret, an unknown algorithm and a bad lifetime", () => {
    expect(() => readAuthConfig({}, "/repo")).toThrow(AuthConfigError);
    expect(() => readAuthConfig({ BETTER_AUTH_SECRET: "short" }, "/repo")).toThrow(/at least 32 bytes/);
    expect(() => readAuthConfig({ BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_JWT_ALG: "none" }, "/repo")).toThrow(
      /BETTER_AUTH_JWT_ALG/,
    );
    expect(() => readAuthConfig({ BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_JWT_EXPIRES_IN: "soon" }, "/repo")).toThrow(
      /BETTER_AUTH_JWT_EXPIRES_IN/,
    );
    expect(() => readAuthConfig({ BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_RATE_LIMIT: "maybe" }, "/repo")).toThrow(
      /BETTER_AUTH_RATE_LIMIT/,
    );
  });

  it("refuses a malformed TRUSTED_PROXIES entry or sign-in limit, naming the variable", () => {
    const read = (env: Record<string, string>) => () => readAuthConfig({ BETTER_AUTH_SECRET: SECRET, ...env }, "/repo");
    expect(read({ TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(AuthConfigError);
    expect(read({ TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(/TRUSTED_PROXIES: "proxy.internal"/);
    expect(read({ SIGN_IN_MAX_FAILURES: "-1" })).toThrow(/SIGN_IN_MAX_FAILURES/);
    expect(read({ SIGN_IN_MAX_FAILURES: "2.5" })).toThrow(/SIGN_IN_MAX_FAILURES/);
    expect(read({ SIGN_IN_FAILURE_WINDOW_SECS: "0" })).toThrow(/SIGN_IN_FAILURE_WINDOW_SECS/);
    expect(read({ SIGN_IN_FAILURE_WINDOW_SECS: "15m" })).toThrow(/SIGN_IN_FAILURE_WINDOW_SECS/);
  });
});
