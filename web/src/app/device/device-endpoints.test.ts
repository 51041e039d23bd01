// @vitest-environment node
// Better Auth's device authorization and bearer plugins as this app configures
// them (the real instance on an in-memory PGlite), called the way `todo login`
// and the /device page call them. (Better Auth skips its Origin check under
// Vitest, so a forged Origin is tested against `next start` in e2e/tests/cli.test.mjs.)
import { PGlite } from "@electric-sql/pglite";
import { jwtVerify } from "jose";
import { PGliteDialect } from "kysely-pglite-dialect";
import { describe, expect, it } from "vitest";
import { readAuthConfig } from "@/lib/server/auth-config";
import { createMigratedAuth } from "@/lib/server/auth";

const BASE_URL = "http://localhost:3000";
const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

type Auth = Awaited<ReturnType<typeof createMigratedAuth>>;

async function newAuth(): Promise<Auth> {
  const config = readAuthConfig({ BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: BASE_URL }, "/repo");
  return createMigratedAuth(config, new PGliteDialect(new PGlite()));
}

/** A request as a browser page of this app sends it (same origin, with its cookie). */
function fromBrowser(auth: Auth, path: string, cookie: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Origin", BASE_URL);
  headers.set("Cookie", cookie);
  if (init.body) headers.set("Content-Type", "application/json");
  return auth.handler(new Request(`${BASE_URL}/api/auth${path}`, { ...init, headers }));
}

/** A request as the command line sends it: no Origin, no cookie, maybe a bearer session. */
function fromCli(auth: Auth, path: string, init: { body?: object; bearer?: string; method?: string } = {}) {
  const headers = new Headers();
  if (init.body) headers.set("Content-Type", "application/json");
  if (init.bearer) headers.set("Authorization", `Bearer ${init.bearer}`);
  return auth.handler(
    new Request(`${BASE_URL}/api/auth${path}`, {
      method: init.method ?? (init.body ? "POST" : "GET"),
      headers,
      body: init.body ? JSON.stringify(init.body) : undefined,
    }),
  );
}

async function signUp(auth: Auth) {
  const response = await fromBrowser(auth, "/sign-up/email", "", {
    method: "POST",
    body: JSON.stringify({ name: "Ann", email: "ann@example.com", password: "correct-horse" }),
  });
  expect(response.status).toBe(200);
  const { user } = (await response.json()) as { user: { id: string } };
  return { userId: user.id, cookie: response.headers.get("set-cookie")!.split(";")[0] };
}

async function requestCode(auth: Auth) {
  const response = await fromCli(auth, "/device/code", { body: { client_id: "todo-cli" } });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    device_code: string;
    user_code: string;
    verification_uri: string;
    verification_uri_complete: string;
    expires_in: number;
    interval: number;
  };
}

const poll = (auth: Auth, deviceCode: string) =>
  fromCli(auth, "/device/token", { body: { grant_type: GRANT_TYPE, device_code: deviceCode, client_id: "todo-cli" } });

const errorOf = async (response: Response) => ((await response.json()) as { error?: string }).error;

describe("device sign-in for the command line", { timeout: 60_000 }, () => {
  it("issues a code for the known client only, pointing at this app's /device page", async () => {
    const auth = await newAuth();
    const code = await requestCode(auth);
    expect(code.verification_uri).toBe(`${BASE_URL}/device`);
    expect(code.verification_uri_complete).toBe(`${BASE_URL}/device?user_code=${code.user_code}`);
    expect(code.interval).toBe(5);
    expect(code.expires_in).toBe(15 * 60);
    expect(code.user_code).toMatch(/^[A-Z0-9]{8}$/);

    const stranger = await fromCli(auth, "/device/code", { body: { client_id: "someone-else" } });
    expect(stranger.status).toBe(400);
    expect(await errorOf(stranger)).toBe("invalid_client");
  });

  it("approved on /device: the poll gets a session the bearer plugin accepts for tokens, until sign-out", async () => {
    const auth = await newAuth();
    const { userId, cookie } = await signUp(auth);
    const code = await requestCode(auth);

    expect(await errorOf(await poll(auth, code.device_code))).toBe("authorization_pending");
    // Sooner than `interval` after the last poll.
    expect(await errorOf(await poll(auth, code.device_code))).toBe("slow_down");

    // Signed out, the page learns nothing about who asked.
    const anonymous = await (await fromCli(auth, `/device?user_code=${code.user_code}`)).json();
    expect(anonymous).toEqual({ user_code: code.user_code, status: "pending" });
    // Signed in, looking the code up claims it for this person and names the client;
    // the code may be typed in lower case with a dash.
    const typed = `${code.user_code.slice(0, 4)}-${code.user_code.slice(4)}`.toLowerCase();
    const lookup = await fromBrowser(auth, `/device?user_code=${encodeURIComponent(typed)}`, cookie);
    expect(await lookup.json()).toMatchObject({ status: "pending", client_id: "todo-cli" });
    const approve = await fromBrowser(auth, "/device/approve", cookie, {
      method: "POST",
      body: JSON.stringify({ userCode: typed }),
    });
    expect(approve.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, code.interval * 1000 + 100));
    const granted = await poll(auth, code.device_code);
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBeGreaterThan(6 * 24 * 60 * 60);
    // A code is good for one session only.
    expect(await errorOf(await poll(auth, code.device_code))).toBe("invalid_grant");

    const tokenResponse = await fromCli(auth, "/token", { bearer: body.access_token });
    expect(tokenResponse.status).toBe(200);
    const { token } = (await tokenResponse.json()) as { token: string };
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { issuer: BASE_URL, audience: BASE_URL });
    expect(payload.sub).toBe(userId);

    const session = await (await fromCli(auth, "/get-session", { bearer: body.access_token })).json();
    expect(session.user.email).toBe("ann@example.com");

    const signOut = await fromCli(auth, "/sign-out", { method: "POST", bearer: body.access_token });
    expect(signOut.status).toBe(200);
    expect((await fromCli(auth, "/token", { bearer: body.access_token })).status).toBe(401);
  });

  it("denied on /device: the next poll says access_denied", async () => {
    const auth = await newAuth();
    const { cookie } = await signUp(auth);
    const code = await requestCode(auth);
    await fromBrowser(auth, `/device?user_code=${code.user_code}`, cookie);
    const deny = await fromBrowser(auth, "/device/deny", cookie, {
      method: "POST",
      body: JSON.stringify({ userCode: code.user_code }),
    });
    expect(deny.status).toBe(200);
    expect(await errorOf(await poll(auth, code.device_code))).toBe("access_denied");
  });
});

describe("device codes cannot be bound to someone else or guessed through approve/deny (issue 23, item 4)", { timeout: 60_000 }, () => {
  async function signUpAs(auth: Auth, email: string) {
    const response = await fromBrowser(auth, "/sign-up/email", "", {
      method: "POST",
      body: JSON.stringify({ name: "Someone", email, password: "correct-horse" }),
    });
    expect(response.status).toBe(200);
    const { user } = (await response.json()) as { user: { id: string } };
    return { userId: user.id, cookie: response.headers.get("set-cookie")!.split(";")[0] };
  }

  const decide = (auth: Auth, cookie: string, path: "/device/approve" | "/device/deny", userCode: string) =>
    fromBrowser(auth, path, cookie, { method: "POST", body: JSON.stringify({ userCode }) });

  it("refuses a user_id on /device/code from anyone", async () => {
    const auth = await newAuth();
    const victim = await signUp(auth);
    const response = await fromCli(auth, "/device/code", { body: { client_id: "todo-cli", user_id: victim.userId } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toBe("invalid_request");
    const { adapter } = await auth.$context;
    expect(await adapter.findMany({ model: "deviceCode" })).toEqual([]);
  });

  it("answers approve and deny alike for an unknown, an unclaimed and another account's code", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    const bob = await signUpAs(auth, "bob@example.com");
    const unclaimed = await requestCode(auth);
    const bobs = await requestCode(auth);
    expect((await fromBrowser(auth, `/device?user_code=${bobs.user_code}`, bob.cookie)).status).toBe(200);

    for (const path of ["/device/approve", "/device/deny"] as const) {
      const answers = [];
      for (const userCode of ["ZZZZZZZZ", unclaimed.user_code, bobs.user_code]) {
        const response = await decide(auth, ann.cookie, path, userCode);
        answers.push({ status: response.status, body: await response.text() });
      }
      expect(answers[0].status, path).toBe(400);
      expect(answers[1], `${path}: unclaimed`).toEqual(answers[0]);
      expect(answers[2], `${path}: another account's`).toEqual(answers[0]);
    }
    // None of that changed the codes: Bob can still approve his.
    expect((await decide(auth, bob.cookie, "/device/approve", bobs.user_code)).status).toBe(200);
  });

  it("limits approve and deny per address like lookups: 5 within a code's lifetime", async () => {
    const config = readAuthConfig({ BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: BASE_URL, BETTER_AUTH_RATE_LIMIT: "on" }, "/repo");
    const auth = await createMigratedAuth(config, new PGliteDialect(new PGlite()));
    const ann = await signUp(auth);
    for (const path of ["/device/approve", "/device/deny"] as const) {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await decide(auth, ann.cookie, path, `GUESS00${i}`)).status);
      expect(statuses, path).toEqual([400, 400, 400, 400, 400, 429]);
    }
  });
});
