// @vitest-environment node
import { PGlite } from "@electric-sql/pglite";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { PGliteDialect } from "kysely-pglite-dialect";
import { describe, expect, it } from "vitest";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth-messages";
import { readAuthConfig, type JwtAlg } from "./auth-config";
import { createMigratedAuth } from "./auth";

const BASE_URL = "http://localhost:3000";
const SECRET = "test-secret-that-is-at-least-32-bytes-long";

async function authWith(alg: JwtAlg) {
  const config = readAuthConfig(
    { BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: `${BASE_URL}/`, BETTER_AUTH_JWT_ALG: alg, BETTER_AUTH_JWT_EXPIRES_IN: "20" },
    "/repo",
  );
  // An in-memory PGlite: the same store and migrations as the server, nothing on disk.
  return createMigratedAuth(config, new PGliteDialect(new PGlite()));
}

function call(auth: Awaited<ReturnType<typeof authWith>>, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Origin", BASE_URL);
  if (init.body) headers.set("Content-Type", "application/json");
  return auth.handler(new Request(`${BASE_URL}/api/auth${path}`, { ...init, headers }));
}

async function signUpAndGetToken(auth: Awaited<ReturnType<typeof authWith>>) {
  const signUp = await call(auth, "/sign-up/email", {
    method: "POST",
    body: JSON.stringify({ name: "Ann", email: "ann@example.com", password: "correct-horse" }),
  });
  expect(signUp.status).toBe(200);
  const { user } = (await signUp.json()) as { user: { id: string } };
  const cookie = signUp.headers.get("set-cookie")!.split(";")[0];
  const tokenResponse = await call(auth, "/token", { headers: { cookie } });
  expect(tokenResponse.status).toBe(200);
  const { token } = (await tokenResponse.json()) as { token: string };
  return { userId: user.id, token };
}

// Each test boots PGlite and runs the migrations: seconds on a busy 2-core machine.
describe("Better Auth with the jwt plugin", { timeout: 30_000 }, () => {
  it("issues HS256 tokens signed with BETTER_AUTH_SECRET whose iss and aud equal BETTER_AUTH_URL", async () => {
    const auth = await authWith("HS256");
    const { userId, token } = await signUpAndGetToken(auth);

    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ["HS256"],
      issuer: BASE_URL,
      audience: BASE_URL,
    });
    expect(payload.sub).toBe(userId);
    expect(payload.email).toBe("ann@example.com");
    expect(payload.name).toBe("Ann");
    expect(payload.exp! - payload.iat!).toBe(20);
    // No public keys exist in HS256 mode.
    expect((await call(auth, "/jwks")).status).toBe(404);
  });

  it.each(["EdDSA", "ES256"] as const)("issues %s tokens verifiable with the keys at /api/auth/jwks", async (alg) => {
    const auth = await authWith(alg);
    const { userId, token } = await signUpAndGetToken(auth);

    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe(alg);
    expect(header.kid).toBeTruthy();
    const jwks = await (await call(auth, "/jwks")).json();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: BASE_URL, audience: BASE_URL });
    expect(payload.sub).toBe(userId);
  });

  it("gives the error codes the sign-up and sign-in forms turn into messages", async () => {
    const auth = await authWith("HS256");
    await signUpAndGetToken(auth);
    const signUp = (body: object) => call(auth, "/sign-up/email", { method: "POST", body: JSON.stringify(body) });

    const taken = await signUp({ name: "Ann", email: "ann@example.com", password: "correct-horse" });
    expect(((await taken.json()) as { code: string }).code).toMatch(/^USER_ALREADY_EXISTS/);

    const short = await signUp({ name: "Bob", email: "bob@example.com", password: "short" });
    expect(((await short.json()) as { code: string }).code).toBe("PASSWORD_TOO_SHORT");

    // The same limits the forms check and word their messages with.
    const justShort = await signUp({ name: "Bob", email: "bob@example.com", password: "x".repeat(MIN_PASSWORD_LENGTH - 1) });
    expect(((await justShort.json()) as { code: string }).code).toBe("PASSWORD_TOO_SHORT");
    const tooLong = await signUp({ name: "Bob", email: "bob@example.com", password: "x".repeat(MAX_PASSWORD_LENGTH + 1) });
    expect(((await tooLong.json()) as { code: string }).code).toBe("PASSWORD_TOO_LONG");
    const longest = await signUp({ name: "Bob", email: "bob@example.com", password: "x".repeat(MAX_PASSWORD_LENGTH) });
    expect(longest.status).toBe(200);

    const wrong = await call(auth, "/sign-in/email", {
      method: "POST",
      body: JSON.stringify({ email: "ann@example.com", password: "wrong-horse" }),
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe("INVALID_EMAIL_OR_PASSWORD");
  });

  it("refuses a token to a request without a session", async () => {
    const auth = await authWith("HS256");
    expect((await call(auth, "/token")).status).toBe(401);
  });
});
