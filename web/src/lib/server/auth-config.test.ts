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
    });
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
    });
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
});
