// @vitest-environment node
// Sessions and revocation, web side: a real Better Auth (with the jwt plugin) on a
// real PGlite, and on PostgreSQL when TEST_DATABASE_URL is set. The task API is
// stood in for by a small HTTP server that verifies each event with jose, as the
// real API does; the browser tests (e2e/tests/sessions.test.mjs) use the real one.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import { Kysely, PostgresDialect, type Dialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { deadUrl } from "@/test/dead-url";
import { readAuthConfig, type JwtAlg } from "../auth-config";
import { createMigratedAuth, type Auth } from "../auth";
import { EventOutbox, OUTBOX_MODEL, type OutboxRow } from "./outbox";
import { ACCOUNT_PURGED, BACKCHANNEL_LOGOUT, eventClaims, outboxOf } from "./plugin";

const BASE_URL = "http://localhost:3000";
const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const PASSWORD = "correct-horse";
const TOKEN_SECONDS = 20;
const quiet = { info() {}, warn() {}, error() {} };

/** Stands in for the API's POST /auth/events: records what it got, answers `status()`. */
async function eventsReceiver(status: () => number = () => 202) {
  const received: string[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      expect(request.url).toBe("/auth/events");
      expect(request.headers["content-type"]).toBe("application/secevent+jwt");
      received.push(body);
      const code = status();
      response.writeHead(code, { "content-type": "application/json" });
      response.end(code === 202 ? "" : JSON.stringify({ err: "invalid_request", description: "refused in the test" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url, received };
}


const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

class Clock {
  at = Date.now();
  now = () => this.at;
  advance(ms: number) {
    this.at += ms;
  }
}

async function authOn(dialect: Dialect, { alg = "HS256", apiUrl, clock }: { alg?: JwtAlg; apiUrl: string; clock?: Clock }) {
  const config = readAuthConfig(
    {
      BETTER_AUTH_SECRET: SECRET,
      BETTER_AUTH_URL: BASE_URL,
      BETTER_AUTH_JWT_ALG: alg,
      BETTER_AUTH_JWT_EXPIRES_IN: String(TOKEN_SECONDS),
      NEXT_PUBLIC_API_URL: apiUrl,
      BETTER_AUTH_RATE_LIMIT: "off",
    },
    "/repo",
  );
  const auth = await createMigratedAuth(config, dialect, { outbox: { start: false, now: clock?.now, log: quiet, baseBackoffMs: 1000, maxBackoffMs: 8000 } });
  closers.push(async () => (await outboxOf(auth)).stop());
  return auth;
}

function call(auth: Auth, path: string, init: { method?: string; body?: object; cookie?: string } = {}) {
  const headers = new Headers({ Origin: BASE_URL });
  if (init.body) headers.set("Content-Type", "application/json");
  if (init.cookie) headers.set("cookie", init.cookie);
  return auth.handler(
    new Request(`${BASE_URL}/api/auth${path}`, { method: init.method ?? (init.body ? "POST" : "GET"), headers, body: init.body && JSON.stringify(init.body) }),
  );
}

/** A signed-in browser: its session cookie, and its session id. */
async function session(auth: Auth, email: string, signUp = false) {
  const response = signUp
    ? await call(auth, "/sign-up/email", { body: { name: "Ann", email, password: PASSWORD } })
    : await call(auth, "/sign-in/email", { body: { email, password: PASSWORD } });
  expect(response.status).toBe(200);
  const cookie = response.headers.get("set-cookie")!.split(";")[0];
  const current = (await (await call(auth, "/get-session", { cookie })).json()) as { session: { id: string; userId: string } };
  return { cookie, id: current.session.id, userId: current.session.userId };
}

async function outboxRows(auth: Auth) {
  const context = await auth.$context;
  const rows = await context.adapter.findMany<{ id: string; kind: string; userId: string; sessionId: string | null }>({ model: OUTBOX_MODEL });
  return rows.map(({ kind, userId, sessionId }) => ({ kind, userId, sessionId: sessionId ?? null }));
}

const ended = (userId: string, ...sessions: string[]) => sessions.map((sessionId) => ({ kind: "session", userId, sessionId }));
const sorted = <T extends { sessionId: string | null }>(rows: T[]) => [...rows].sort((a, b) => String(a.sessionId).localeCompare(String(b.sessionId)));

describe("every path that ends a session reaches the outbox (Better Auth's own hooks, bulk paths included)", { timeout: 60_000 }, () => {
  it("sign-out, revoke-session, revoke-other-sessions and revoke-sessions record one event per ended session", async () => {
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: await deadUrl() });
    const a = await session(auth, "ann@example.com", true);
    const [b, c, d] = [await session(auth, "ann@example.com"), await session(auth, "ann@example.com"), await session(auth, "ann@example.com")];
    expect(await outboxRows(auth)).toEqual([]);

    expect((await call(auth, "/sign-out", { method: "POST", cookie: d.cookie, body: {} })).status).toBe(200);
    expect(await outboxRows(auth)).toEqual(ended(a.userId, d.id));

    // Answers carry no session tokens (account-guard.ts): the token from the store, as the server has it.
    const cToken = (await (await auth.$context).adapter.findOne<{ token: string }>({ model: "session", where: [{ field: "id", value: c.id }] }))!.token;
    expect((await call(auth, "/revoke-session", { cookie: a.cookie, body: { token: cToken } })).status).toBe(200);
    expect(sorted(await outboxRows(auth))).toEqual(sorted(ended(a.userId, d.id, c.id)));

    // The bulk path: one deleteMany in Better Auth, still one event per row.
    const e = await session(auth, "ann@example.com");
    expect((await call(auth, "/revoke-other-sessions", { cookie: a.cookie, body: {} })).status).toBe(200);
    expect(sorted(await outboxRows(auth))).toEqual(sorted(ended(a.userId, d.id, c.id, b.id, e.id)));

    const f = await session(auth, "ann@example.com");
    expect((await call(auth, "/revoke-sessions", { cookie: a.cookie, body: {} })).status).toBe(200);
    expect(sorted(await outboxRows(auth))).toEqual(sorted(ended(a.userId, d.id, c.id, b.id, e.id, a.id, f.id)));
  });

  it("changing the password with revokeOtherSessions ends every earlier session, the current one's id too", async () => {
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: await deadUrl() });
    const a = await session(auth, "ann@example.com", true);
    const b = await session(auth, "ann@example.com");
    const response = await call(auth, "/change-password", {
      cookie: a.cookie,
      body: { currentPassword: PASSWORD, newPassword: "another-horse", revokeOtherSessions: true },
    });
    expect(response.status).toBe(200);
    // Better Auth replaces the caller's session with a new one, so its old sid ends as well.
    expect(sorted(await outboxRows(auth))).toEqual(sorted(ended(a.userId, a.id, b.id)));
    const fresh = response.headers.get("set-cookie")!.split(";")[0];
    expect((await (await call(auth, "/get-session", { cookie: fresh })).json()).session.id).not.toBe(a.id);
  });

  it("deleting the account records account-purged (after its sessions' events), and needs the password", async () => {
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: await deadUrl() });
    const a = await session(auth, "ann@example.com", true);
    const b = await session(auth, "ann@example.com");
    expect((await call(auth, "/delete-user", { cookie: a.cookie, body: { password: "wrong-horse" } })).status).toBe(400);
    expect(await outboxRows(auth)).toEqual([]);

    expect((await call(auth, "/delete-user", { cookie: a.cookie, body: { password: PASSWORD } })).status).toBe(200);
    const rows = await outboxRows(auth);
    expect(rows).toContainEqual({ kind: "account", userId: a.userId, sessionId: null });
    expect(sorted(rows.filter((row) => row.kind === "session"))).toEqual(sorted(ended(a.userId, a.id, b.id)));
    expect((await call(auth, "/get-session", { cookie: b.cookie })).status).toBe(200);
    expect(await (await call(auth, "/get-session", { cookie: b.cookie })).json()).toBeNull();
  });
});

describe("events are signed like access tokens", { timeout: 60_000 }, () => {
  it("HS256: with BETTER_AUTH_SECRET, typ secevent+jwt, and SPEC's claims", async () => {
    const api = await eventsReceiver();
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: api.url });
    const a = await session(auth, "ann@example.com", true);
    const access = ((await (await call(auth, "/token", { cookie: a.cookie })).json()) as { token: string }).token;
    const { payload: accessClaims } = await jwtVerify(access, new TextEncoder().encode(SECRET), { issuer: BASE_URL, audience: BASE_URL });
    expect(accessClaims).toMatchObject({ sub: a.userId, sid: a.id });

    expect((await call(auth, "/sign-out", { method: "POST", cookie: a.cookie, body: {} })).status).toBe(200);
    const outbox = await outboxOf(auth);
    await outbox.settled();
    expect(api.received).toHaveLength(1);
    const event = api.received[0];
    expect(decodeProtectedHeader(event)).toEqual({ alg: "HS256", typ: "secevent+jwt" });
    const { payload } = await jwtVerify(event, new TextEncoder().encode(SECRET), {
      issuer: BASE_URL,
      audience: BASE_URL,
      typ: "secevent+jwt",
      algorithms: ["HS256"],
    });
    expectLogout(payload, a.userId, a.id);
    expect(await outboxRows(auth)).toEqual([]);
  });

  it("EdDSA: with the jwt plugin's key pair, the kid of the access tokens, verifiable through /jwks", async () => {
    const api = await eventsReceiver();
    const auth = await authOn(new PGliteDialect(new PGlite()), { alg: "EdDSA", apiUrl: api.url });
    const a = await session(auth, "ann@example.com", true);
    const access = ((await (await call(auth, "/token", { cookie: a.cookie })).json()) as { token: string }).token;
    expect((await call(auth, "/sign-out", { method: "POST", cookie: a.cookie, body: {} })).status).toBe(200);
    await (await outboxOf(auth)).settled();
    expect(api.received).toHaveLength(1);

    const header = decodeProtectedHeader(api.received[0]);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "secevent+jwt", kid: decodeProtectedHeader(access).kid });
    const jwks = createLocalJWKSet(await (await call(auth, "/jwks")).json());
    const { payload } = await jwtVerify(api.received[0], jwks, { issuer: BASE_URL, audience: BASE_URL, typ: "secevent+jwt" });
    expectLogout(payload, a.userId, a.id);
    // The access token says typ JWT and carries no events: neither passes for the other.
    expect(decodeProtectedHeader(access).typ).not.toBe("secevent+jwt");
    expect((await jwtVerify(access, jwks)).payload.events).toBeUndefined();
  });

  it("account-purged carries sub and no sid", () => {
    const claims = eventClaims({ id: "e1", kind: "account", userId: "u1", sessionId: null }, 1000, BASE_URL);
    expect(claims).toEqual({ iss: BASE_URL, aud: BASE_URL, iat: 1000, exp: 1120, jti: "e1", sub: "u1", events: { [ACCOUNT_PURGED]: {} } });
  });
});

function expectLogout(payload: JWTPayload, userId: string, sessionId: string) {
  expect(payload).toMatchObject({ iss: BASE_URL, aud: BASE_URL, sub: userId, sid: sessionId, events: { [BACKCHANNEL_LOGOUT]: {} } });
  expect(typeof payload.jti).toBe("string");
  expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
  expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
}

describe("the outbox", { timeout: 60_000 }, () => {
  it("keeps an event while the API is unreachable, retrying with exponential backoff, and sends it when the API is back", async () => {
    const clock = new Clock();
    let answer = 503;
    const api = await eventsReceiver(() => answer);
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: api.url, clock });
    const a = await session(auth, "ann@example.com", true);
    await call(auth, "/sign-out", { method: "POST", cookie: a.cookie, body: {} });
    const outbox = await outboxOf(auth);
    await outbox.settled(); // the kick: first attempt, 503
    expect(api.received).toHaveLength(1);

    // Due again after 1 s, then 2, 4, 8, 8 (the cap): nothing is sent before.
    for (const delay of [1000, 2000, 4000, 8000, 8000]) {
      clock.advance(delay - 1);
      const sent = api.received.length;
      expect(await outbox.deliverDue()).toBe(0);
      clock.advance(1);
      expect(await outbox.deliverDue()).toBe(1);
      expect(api.received).toHaveLength(sent + 1);
    }
    expect(await outboxRows(auth)).toHaveLength(1);

    answer = 202;
    clock.advance(8000);
    expect(await outbox.deliverDue()).toBe(1);
    expect(await outboxRows(auth)).toEqual([]);
    // Each attempt was a freshly signed event with the same jti (a replay if one had got through).
    const jtis = new Set(api.received.map((token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).jti));
    expect(jtis.size).toBe(1);
  });

  it("also retries when nothing answers, and drops the event only once the tokens it covers have expired", async () => {
    const clock = new Clock();
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: await deadUrl(), clock });
    const a = await session(auth, "ann@example.com", true);
    await call(auth, "/sign-out", { method: "POST", cookie: a.cookie, body: {} });
    const outbox = await outboxOf(auth);
    await outbox.settled();
    const [row] = await (await auth.$context).adapter.findMany<{ attempts: number; dropAfter: Date; createdAt: Date }>({ model: OUTBOX_MODEL });
    expect(row.attempts).toBe(1);
    // Tokens minted up to the sign-out live TOKEN_SECONDS more, and the API allows 60 s of clock leeway.
    expect(new Date(row.dropAfter).getTime() - new Date(row.createdAt).getTime()).toBe((TOKEN_SECONDS + 60) * 1000);

    clock.advance((TOKEN_SECONDS + 60) * 1000 - 1);
    expect(await outbox.deliverDue()).toBe(1); // still worth sending
    expect(await outboxRows(auth)).toHaveLength(1);
    clock.advance(1);
    expect(await outbox.dropExpired()).toBe(1);
    expect(await outboxRows(auth)).toEqual([]);
  });

  it("drops an event the API refuses (400): a resend could never succeed", async () => {
    const api = await eventsReceiver(() => 400);
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: api.url });
    const a = await session(auth, "ann@example.com", true);
    await call(auth, "/sign-out", { method: "POST", cookie: a.cookie, body: {} });
    await (await outboxOf(auth)).settled();
    expect(api.received).toHaveLength(1);
    expect(await outboxRows(auth)).toEqual([]);
  });

  it("an event claimed by an instance that died mid-send is sent by another once its lease runs out", async () => {
    const clock = new Clock();
    const api = await eventsReceiver();
    const auth = await authOn(new PGliteDialect(new PGlite()), { apiUrl: await deadUrl(), clock });
    const a = await session(auth, "ann@example.com", true);
    const context = await auth.$context;
    // Recorded without a kick: delete the session row the way Better Auth does, hooks and all.
    await context.internalAdapter.deleteSession((await context.adapter.findOne<{ token: string }>({ model: "session", where: [{ field: "id", value: a.id }] }))!.token);
    await (await outboxOf(auth)).settled(); // its own first attempt found the API down
    clock.advance(1000);
    const db = (context.options.database as { db: Kysely<unknown> }).db;
    const sign = async (row: OutboxRow, now: number) => JSON.stringify(eventClaims(row, now, BASE_URL));

    const dying = new EventOutbox({ db, sign, eventsUrl: `${api.url}/auth/events`, now: clock.now, log: quiet, leaseMs: 30_000 });
    expect(await dying.claim()).toHaveLength(1); // ...and never answers
    const other = new EventOutbox({ db, sign, eventsUrl: `${api.url}/auth/events`, now: clock.now, log: quiet });
    expect(await other.deliverDue()).toBe(0);
    clock.advance(30_000);
    expect(await other.deliverDue()).toBe(1);
    expect(api.received).toHaveLength(1);
    expect(await outboxRows(auth)).toEqual([]);
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;
describe.skipIf(!postgresUrl)("the outbox on PostgreSQL with several web instances", { timeout: 90_000 }, () => {
  it("sends every event exactly once when two senders claim at the same time (FOR UPDATE SKIP LOCKED)", async () => {
    const name = `todo_web_outbox_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    closers.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    const pools = [new pg.Pool({ connectionString: url.toString() }), new pg.Pool({ connectionString: url.toString() })];
    // DROP DATABASE … WITH (FORCE) at the end ends any connection still closing.
    for (const pool of pools) pool.on("error", () => {});
    // Closed before the database is dropped (closers run last-in first).
    const api = await eventsReceiver();
    const auth = await authOn(new PostgresDialect({ pool: pools[0] }), { apiUrl: await deadUrl() });
    closers.push(() => Promise.all(pools.map((pool) => pool.end())));

    const userIds = Array.from({ length: 120 }, (_, i) => `user-${i}`);
    const adapter = (await auth.$context).adapter;
    const now = Date.now();
    for (const userId of userIds) {
      await adapter.create({
        model: OUTBOX_MODEL,
        data: { kind: "account", userId, sessionId: null, createdAt: new Date(now), attempts: 0, nextAttemptAt: new Date(now), dropAfter: new Date(now + 60_000) },
      });
    }
    const sign = async (row: OutboxRow, nowSeconds: number) => JSON.stringify(eventClaims(row, nowSeconds, BASE_URL));
    const senders = pools.map(
      (pool) => new EventOutbox({ db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), sign, eventsUrl: `${api.url}/auth/events`, log: quiet }),
    );
    // Both keep claiming batches of 50 at once until the table is empty.
    const counts = await Promise.all(
      senders.map(async (sender) => {
        let sent = 0;
        for (let n = await sender.deliverDue(); n > 0; n = await sender.deliverDue()) sent += n;
        return sent;
      }),
    );
    expect(counts[0] + counts[1]).toBe(userIds.length);
    const subjects = api.received.map((token) => (JSON.parse(token) as { sub: string }).sub);
    expect(subjects).toHaveLength(userIds.length);
    expect(new Set(subjects)).toEqual(new Set(userIds));
    const { rows } = await pools[1].query(`SELECT count(*)::int AS n FROM "${OUTBOX_MODEL}"`);
    expect(rows[0].n).toBe(0);
  });
});
