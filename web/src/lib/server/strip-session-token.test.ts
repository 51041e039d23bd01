// @vitest-environment node
import { PGlite } from "@electric-sql/pglite";
import { PGliteDialect } from "kysely-pglite-dialect";
import { describe, expect, it } from "vitest";
import { readAuthConfig } from "./auth-config";
import { createMigratedAuth } from "./auth";
import { withoutSessionTokenHeader } from "./strip-session-token";

describe("withoutSessionTokenHeader", () => {
  it("keeps the bearer plugin's session token out of a browser sign-up's answer, cookie and body intact", { timeout: 30_000 }, async () => {
    const config = readAuthConfig(
      { BETTER_AUTH_SECRET: "test-secret-that-is-at-least-32-bytes-long", BETTER_AUTH_URL: "http://localhost:3000" },
      "/repo",
    );
    const auth = await createMigratedAuth(config, new PGliteDialect(new PGlite()));
    const signUp = await auth.handler(
      new Request("http://localhost:3000/api/auth/sign-up/email", {
        method: "POST",
        headers: { Origin: "http://localhost:3000", "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Ann", email: "ann@example.com", password: "correct-horse" }),
      }),
    );
    // What Better Auth itself answers: the token in a header page scripts can read.
    expect(signUp.headers.get("set-auth-token")).toBeTruthy();

    const answered = withoutSessionTokenHeader(signUp);
    expect(answered.headers.get("set-auth-token")).toBeNull();
    expect(answered.headers.get("access-control-expose-headers") ?? "").not.toMatch(/set-auth-token/i);
    expect(answered.headers.get("set-cookie")).toMatch(/session_token=.*HttpOnly/i);
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { user: { email: string } }).user.email).toBe("ann@example.com");
  });

  it("keeps the other exposed headers and leaves other answers alone", () => {
    const response = new Response("{}", {
      headers: { "set-auth-token": "secret", "access-control-expose-headers": "set-auth-jwt, set-auth-token" },
    });
    expect(withoutSessionTokenHeader(response).headers.get("access-control-expose-headers")).toBe("set-auth-jwt");
    const plain = new Response("{}");
    expect(withoutSessionTokenHeader(plain)).toBe(plain);
  });
});
