// @vitest-environment node
// Accounts and sessions as an attacker probes them (issue 23): the real Better Auth
// with this app's plugins, on a real PGlite. Every bulk path that ends sessions,
// with several hundred of them; the cap on sessions per account; deleting the
// account; session tokens in answers; the access-token answer's caching headers.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { PGliteDialect } from "kysely-pglite-dialect";
import { afterEach, describe, expect, it } from "vitest";
import { deadUrl } from "@/test/dead-url";
import { readAuthConfig } from "./auth-config";
import { createMigratedAuth, type Auth } from "./auth";
import { OUTBOX_MODEL } from "./security-events/outbox";
import { outboxOf } from "./security-events/plugin";

const BASE_URL = "http://localhost:3000";
const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const PASSWORD = "correct-horse";
const MANY = 300;
const CAP = 20;
const quiet = { info() {}, warn() {}, error() {} };

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});


async function newAuth(env: Record<string, string> = {}): Promise<Auth> {
  const config = readAuthConfig(
    {
      BETTER_AUTH_SECRET: SECRET,
      BETTER_AUTH_URL: BASE_URL,
      NEXT_PUBLIC_API_URL: await deadUrl(),
      BETTER_AUTH_RATE_LIMIT: "off",
      MAX_SESSIONS_PER_USER: String(CAP),
      ...env,
    },
    "/repo",
  );
  const auth = await createMigratedAuth(config, new PGliteDialect(new PGlite()), { outbox: { start: false, log: quiet } });
  closers.push(async () => (await outboxOf(auth)).stop());
  return auth;
}

function call(auth: Auth, path: string, init: { method?: string; body?: object; cookie?: string; bearer?: string } = {}) {
  const headers = new Headers({ Origin: BASE_URL });
  if (init.body) headers.set("Content-Type", "application/json");
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.bearer) headers.set("Authorization", `Bearer ${init.bearer}`);
  return auth.handler(
    new Request(`${BASE_URL}/api/auth${path}`, { method: init.method ?? (init.body ? "POST" : "GET"), headers, body: init.body && JSON.stringify(init.body) }),
  );
}

async function signUp(auth: Auth, email = "ann@example.com") {
  const response = await call(auth, "/sign-up/email", { body: { name: "Ann", email, password: PASSWORD } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { user: { id: string } };
  const cookie = response.headers.get("set-cookie")!.split(";")[0];
  const current = (await (await call(auth, "/get-session", { cookie })).json()) as { session: { id: string } };
  return { cookie, userId: body.user.id, sessionId: current.session.id, body };
}

/**
 * `count` live sessions of `userId` written straight into the store, older than
 * any made later: sessions from before the cap, or a race past it. (Signing in
 * several hundred times would only add scrypt's time.)
 */
async function insertSessions(auth: Auth, userId: string, count: number) {
  const { adapter } = await auth.$context;
  const ids: string[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const row = await adapter.create<Record<string, unknown>, { id: string }>({
      model: "session",
      data: {
        userId,
        token: randomBytes(24).toString("base64url"),
        expiresAt: new Date(now + 86_400_000),
        createdAt: new Date(now - 3_600_000 + i),
        updatedAt: new Date(now - 3_600_000 + i),
        ipAddress: "203.0.113.7",
        userAgent: "probe",
      },
    });
    ids.push(row.id);
  }
  return ids;
}

async function sessionIds(auth: Auth, userId: string) {
  const { adapter } = await auth.$context;
  const rows = await adapter.findMany<{ id: string }>({ model: "session", where: [{ field: "userId", value: userId }], limit: 100_000 });
  return rows.map((row) => row.id).sort();
}

/** The sessions the outbox holds an event for (one per ended session), and the purged accounts. */
async function events(auth: Auth) {
  const { adapter } = await auth.$context;
  const rows = await adapter.findMany<{ kind: string; userId: string; sessionId: string | null }>({ model: OUTBOX_MODEL, limit: 100_000 });
  return {
    sessions: rows.filter((row) => row.kind === "session").map((row) => row.sessionId!).sort(),
    accounts: rows.filter((row) => row.kind === "account").map((row) => row.userId),
  };
}

const sorted = (ids: string[]) => [...ids].sort();

describe("every bulk path ends every session, with its event, for any count (item 1)", { timeout: 180_000 }, () => {
  it("lists every session, and sign out all other devices ends all of several hundred", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    const others = await insertSessions(auth, ann.userId, MANY);

    const listed = (await (await call(auth, "/list-sessions", { cookie: ann.cookie })).json()) as { id: string }[];
    expect(listed).toHaveLength(MANY + 1);
    expect(listed.map((s) => s.id)).toContain(ann.sessionId);

    expect((await call(auth, "/revoke-other-sessions", { cookie: ann.cookie, body: {} })).status).toBe(200);
    expect(await sessionIds(auth, ann.userId)).toEqual([ann.sessionId]);
    expect((await events(auth)).sessions).toEqual(sorted(others));
  });

  it("sign out everywhere, a password change and deleting the account each send an event per session", async () => {
    for (const path of ["/revoke-sessions", "/change-password", "/delete-user"] as const) {
      const auth = await newAuth();
      const ann = await signUp(auth);
      const others = await insertSessions(auth, ann.userId, MANY);
      const body =
        path === "/change-password"
          ? { currentPassword: PASSWORD, newPassword: "another-horse", revokeOtherSessions: true }
          : path === "/delete-user"
            ? { password: PASSWORD }
            : {};
      expect((await call(auth, path, { cookie: ann.cookie, body })).status, path).toBe(200);
      const remaining = await sessionIds(auth, ann.userId);
      // A password change replaces the caller's session with a new one; nothing else is left.
      expect(remaining, path).toHaveLength(path === "/change-password" ? 1 : 0);
      expect((await events(auth)).sessions, path).toEqual(sorted([...others, ann.sessionId]));
      if (path === "/delete-user") expect((await events(auth)).accounts).toEqual([ann.userId]);
    }
  });

  it("holds an account to MAX_SESSIONS_PER_USER sessions: a new one ends the oldest, which sends its event", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    const { internalAdapter } = await auth.$context;
    const made: string[] = [ann.sessionId];
    for (let i = 0; i < CAP + 15; i++) made.push((await internalAdapter.createSession(ann.userId))!.id);
    const kept = made.slice(-CAP);
    expect(await sessionIds(auth, ann.userId)).toEqual(sorted(kept));
    expect((await events(auth)).sessions).toEqual(sorted(made.slice(0, made.length - CAP)));
    // The first session was the oldest, so it has ended with its event.
    expect((await call(auth, "/list-sessions", { cookie: ann.cookie })).status).toBe(401);
  });
});

describe("deleting the account needs the password (item 2)", { timeout: 60_000 }, () => {
  it("refuses a fresh session without one, from the browser and from a bearer session alike", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    for (const body of [{}, { password: "" }, { password: null }]) {
      const response = await call(auth, "/delete-user", { cookie: ann.cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe("PASSWORD_REQUIRED");
    }
    const token = (await (await auth.$context).adapter.findOne<{ token: string }>({ model: "session", where: [{ field: "id", value: ann.sessionId }] }))!.token;
    expect((await call(auth, "/delete-user", { bearer: token, body: {} })).status).toBe(400);
    expect(await sessionIds(auth, ann.userId)).toEqual([ann.sessionId]);
    expect((await events(auth)).accounts).toEqual([]);

    expect((await call(auth, "/delete-user", { cookie: ann.cookie, body: { password: "wrong-horse" } })).status).toBe(400);
    expect((await call(auth, "/delete-user", { cookie: ann.cookie, body: { password: PASSWORD } })).status).toBe(200);
    expect((await events(auth)).accounts).toEqual([ann.userId]);
  });
});

describe("no session token reaches a client in a JSON answer (item 3)", { timeout: 60_000 }, () => {
  const hasToken = (text: string, token: string) => text.includes(token);

  it("sign-up, sign-in, get-session, list-sessions and change-password carry ids, not tokens", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    expect(ann.body).not.toHaveProperty("token");
    const signIn = await call(auth, "/sign-in/email", { body: { email: "ann@example.com", password: PASSWORD } });
    expect(signIn.status).toBe(200);
    expect(await signIn.clone().json()).not.toHaveProperty("token");
    const { adapter } = await auth.$context;
    const tokens = (await adapter.findMany<{ token: string }>({ model: "session" })).map((row) => row.token);
    expect(tokens).toHaveLength(2);

    const answers = [
      await signIn.text(),
      await (await call(auth, "/get-session", { cookie: ann.cookie })).text(),
      await (await call(auth, "/list-sessions", { cookie: ann.cookie })).text(),
    ];
    for (const text of answers) for (const token of tokens) expect(hasToken(text, token), text).toBe(false);
    const listed = JSON.parse(answers[2]) as { id: string; token?: string }[];
    expect(listed.map((s) => s.id).sort()).toHaveLength(2);
    expect(listed.every((s) => !("token" in s))).toBe(true);

    const changed = await call(auth, "/change-password", {
      cookie: ann.cookie,
      body: { currentPassword: PASSWORD, newPassword: "another-horse", revokeOtherSessions: true },
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).not.toHaveProperty("token");
  });

  it("the command line's bearer session cannot read another session's token", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    const { adapter, internalAdapter } = await auth.$context;
    const cli = (await internalAdapter.createSession(ann.userId))!;
    const browserToken = (await adapter.findOne<{ token: string }>({ model: "session", where: [{ field: "id", value: ann.sessionId }] }))!.token;
    const listed = await call(auth, "/list-sessions", { bearer: cli.token });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(JSON.parse(text)).toHaveLength(2);
    expect(hasToken(text, browserToken)).toBe(false);
    expect(hasToken(text, cli.token)).toBe(false);
    const own = await (await call(auth, "/get-session", { bearer: cli.token })).text();
    expect(hasToken(own, cli.token)).toBe(false);
  });

  it("server code calling Better Auth directly still gets the tokens it needs", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    const sessions = await auth.api.listSessions({ headers: new Headers({ cookie: ann.cookie }) });
    expect(sessions).toHaveLength(1);
    expect(typeof sessions[0].token).toBe("string");
  });
});

describe("the access-token answer is never cached (item 6)", { timeout: 60_000 }, () => {
  it("GET /token says Cache-Control: no-store and varies on the cookie", async () => {
    const auth = await newAuth();
    const ann = await signUp(auth);
    const response = await call(auth, "/token", { cookie: ann.cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const vary = (response.headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());
    expect(vary).toContain("cookie");
    expect(vary).toContain("authorization");
  });
});
