// @vitest-environment node
import { PGlite } from "@electric-sql/pglite";
import { PGliteDialect } from "kysely-pglite-dialect";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_NAME_LENGTH, NAME_TOO_LONG, TOO_MANY_FAILED_SIGN_INS } from "@/lib/auth-messages";
import { readAuthConfig } from "./auth-config";
import { authRequestHandler, CLIENT_ADDRESS_HEADER } from "./auth-request";
import { createMigratedAuth } from "./auth";
import { KNOWN_DEVICE_COOKIE } from "./sign-in-limit";
import { PEER_ADDRESS_HEADER, peerStampToken } from "./peer-address";

// Better Auth and its limits as the route serves them (authRequestHandler), on
// an in-memory PGlite; requests carry the socket-address stamp the server
// would have put on them.

const BASE_URL = "http://localhost:3000";
const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const PROXY = "10.0.0.2";
const PASSWORD = "correct-horse";

// Better Auth keeps its per-address counters in one process-wide map, so each
// test takes addresses of its own: no test sees another's buckets.
let subnet = 0;
function addresses() {
  subnet += 1;
  let host = 0;
  return () => `198.51.${subnet}.${++host}`;
}

async function setUp(env: Record<string, string> = {}, store: PGlite = new PGlite()) {
  const config = readAuthConfig(
    { BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: BASE_URL, BETTER_AUTH_RATE_LIMIT: "on", TRUSTED_PROXIES: "10.0.0.0/8", ...env },
    "/repo",
  );
  const auth = await createMigratedAuth(config, new PGliteDialect(store));
  const handle = authRequestHandler(auth, config.trustedProxies);
  const token = peerStampToken();

  /** One request from socket address `peer`, with whatever extra headers it claims. */
  async function call(path: string, { peer, body, headers = {} }: { peer: string; body?: object; headers?: Record<string, string> }) {
    const response = await handle(
      new Request(`${BASE_URL}/api/auth${path}`, {
        method: body ? "POST" : "GET",
        headers: {
          Origin: BASE_URL,
          ...(body ? { "Content-Type": "application/json" } : {}),
          ...headers,
          [PEER_ADDRESS_HEADER]: `${token} ${peer}`,
        },
        body: body ? JSON.stringify(body) : undefined,
      }),
    );
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const signUp = (peer: string, email: string, name = "Ann") =>
    call("/sign-up/email", { peer, body: { name, email, password: PASSWORD } });
  const signIn = (peer: string, email: string, password: string, headers?: Record<string, string>) =>
    call("/sign-in/email", { peer, body: { email, password }, headers });
  /** Through the trusted proxy, on behalf of `client`. */
  const viaProxy = (client: string) => ({ peer: PROXY, headers: { "X-Forwarded-For": client } });
  return { auth, call, signUp, signIn, viaProxy };
}

afterEach(() => {
  vi.useRealTimers();
});

// One store for the tests below (booting PGlite and migrating takes seconds);
// each test uses addresses and emails of its own.
let shared: Awaited<ReturnType<typeof setUp>>;
beforeAll(async () => {
  shared = await setUp();
}, 60_000);
let run = 0;
/** An email no other test uses. */
function email(name: string) {
  run += 1;
  return `${name}-${run}@example.com`;
}

describe("client addresses (TRUSTED_PROXIES)", { timeout: 60_000 }, () => {
  it("counts sign-ins with a made-up X-Forwarded-For each against the one socket address", async () => {
    const { signIn } = shared;
    const next = addresses();
    const attacker = next();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      // A different email each time, so only the per-address limit can answer 429.
      const { status } = await signIn(attacker, email(`nobody-${i}`), "wrong-horse", {
        "X-Forwarded-For": `203.0.113.${i + 1}`,
        "X-Real-IP": `203.0.114.${i + 1}`,
      });
      statuses.push(status);
    }
    // Better Auth allows 3 sign-in attempts per 10 s per address.
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.indexOf(429)).toBe(3);
    expect(statuses.filter((status) => status !== 429).length).toBeLessThanOrEqual(6);
  });

  it("answers the per-address 429 with Retry-After, not only Better Auth's X-Retry-After", async () => {
    const { signIn } = shared;
    const peer = addresses()();
    let last;
    for (let i = 0; i < 4; i++) last = await signIn(peer, email(`nobody-${i}`), "wrong-horse");
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(last!.headers.get("retry-after")).toBe(last!.headers.get("x-retry-after"));
  });

  it("behind a trusted proxy, tells clients apart by the address the proxy appended", async () => {
    const { signIn } = shared;
    const next = addresses();
    // Six clients, one attempt each: none is limited.
    for (let i = 0; i < 6; i++) {
      expect((await signIn(PROXY, email(`nobody-${i}`), "wrong-horse", { "X-Forwarded-For": next() })).status).toBe(401);
    }
    // One client prepending a fresh made-up address each time is still one client.
    const client = next();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const forwarded = `203.0.113.${i + 1}, ${client}`;
      statuses.push((await signIn(PROXY, email(`other-${i}`), "wrong-horse", { "X-Forwarded-For": forwarded })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("does not let a client name its own address in the header Better Auth reads", async () => {
    const { signIn } = shared;
    const peer = addresses()();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await signIn(peer, email(`nobody-${i}`), "x", { [CLIENT_ADDRESS_HEADER]: `203.0.113.${i + 1}` })).status);
    }
    expect(statuses[3]).toBe(429);
  });
});

describe("failed sign-ins per account", { timeout: 60_000 }, () => {
  it("pauses an account after 5 wrong passwords from different addresses, the right one included, until the window passes", async () => {
    const { signUp, signIn, viaProxy } = shared;
    const next = addresses();
    const ann = email("ann");
    const bob = email("bob");
    expect((await signUp(next(), ann)).status).toBe(200);
    expect((await signUp(next(), bob)).status).toBe(200);

    for (let i = 0; i < 5; i++) {
      const { peer, headers } = viaProxy(next());
      const wrong = await signIn(peer, i % 2 ? ann : ann.toUpperCase(), "wrong-horse", headers);
      expect(wrong.status, `attempt ${i + 1}`).toBe(401);
    }
    const { peer, headers } = viaProxy(next());
    const paused = await signIn(peer, ann, PASSWORD, headers);
    expect(paused.status).toBe(429);
    expect(paused.body.code).toBe(TOO_MANY_FAILED_SIGN_INS);
    const retryAfter = Number(paused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(paused.body.retryAfter).toBe(retryAfter);

    // Another account is not affected.
    expect((await signIn(viaProxy(next()).peer, bob, PASSWORD, viaProxy(next()).headers)).status).toBe(200);

    // Fifteen minutes later the right password works again.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 901_000);
    const later = viaProxy(next());
    expect((await signIn(later.peer, ann, PASSWORD, later.headers)).status).toBe(200);
  });

  it("lets a device that signed in before through with the right password while an attacker keeps the account paused (issue 23, item 9)", async () => {
    const { signUp, signIn, viaProxy } = shared;
    const next = addresses();
    const ann = email("ann");
    const bob = email("bob");
    const signedUp = await signUp(next(), ann);
    expect(signedUp.status).toBe(200);
    expect((await signUp(next(), bob)).status).toBe(200);
    const deviceCookie = (response: { headers: Headers }) =>
      response.headers
        .getSetCookie()
        .map((cookie) => cookie.split(";")[0])
        .find((cookie) => cookie.startsWith(`${KNOWN_DEVICE_COOKIE}=`));
    // Ann signs in on her laptop once: it is a known device from then on.
    const laptop = deviceCookie(await signIn(next(), ann, PASSWORD));
    expect(laptop).toBeDefined();
    // The browser that made the account is one too (signing up signs in).
    const signUpBrowser = deviceCookie(signedUp);
    expect(signUpBrowser).toBeDefined();
    const bobsLaptop = deviceCookie(await signIn(next(), bob, PASSWORD))!;

    // An attacker with many addresses: 5 guesses among them all, then 429, as before.
    const attacker = async (password: string) => {
      const { peer, headers } = viaProxy(next());
      return (await signIn(peer, ann, password, headers)).status;
    };
    for (let i = 0; i < 5; i++) expect(await attacker("wrong-horse"), `guess ${i + 1}`).toBe(401);
    expect(await attacker("wrong-horse")).toBe(429);
    expect(await attacker(PASSWORD), "a new device is paused, the right password included").toBe(429);
    // Another account's device cookie (or a forged one) is no way past it.
    expect((await signIn(next(), ann, PASSWORD, { cookie: bobsLaptop })).status).toBe(429);
    expect((await signIn(next(), ann, PASSWORD, { cookie: `${KNOWN_DEVICE_COOKIE}=forged.sig` })).status).toBe(429);

    // Ann's laptop, from a new address even, signs in with the right password.
    const fromLaptop = (password: string) => signIn(next(), ann, password, { cookie: laptop! });
    expect((await fromLaptop(PASSWORD)).status).toBe(200);
    expect((await signIn(next(), ann, PASSWORD, { cookie: signUpBrowser! })).status).toBe(200);
    // The attacker is still paused: the laptop's success cleared only the laptop's count.
    expect(await attacker(PASSWORD)).toBe(429);
    // A stolen laptop cookie buys its own 5 guesses, no more.
    for (let i = 0; i < 5; i++) expect((await fromLaptop("wrong-horse")).status).toBe(401);
    expect((await fromLaptop(PASSWORD)).status).toBe(429);
  });

  it("counts emails without an account too, so a 429 does not reveal which emails have one", async () => {
    const { signIn, viaProxy } = shared;
    const next = addresses();
    const nobody = email("nobody");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { peer, headers } = viaProxy(next());
      statuses.push((await signIn(peer, nobody, "wrong-horse", headers)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("starts counting again after a successful sign-in to that account", async () => {
    const { signUp, signIn, viaProxy } = shared;
    const next = addresses();
    const ann = email("ann");
    expect((await signUp(next(), ann)).status).toBe(200);
    const attempt = (password: string) => {
      const { peer, headers } = viaProxy(next());
      return signIn(peer, ann, password, headers);
    };
    for (let i = 0; i < 4; i++) expect((await attempt("wrong-horse")).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await attempt("wrong-horse")).status).toBe(401);
    expect((await attempt("wrong-horse")).status).toBe(429);
  });

  it("lets no more than 5 attempts through when many arrive at once", async () => {
    const { signIn, viaProxy } = shared;
    const next = addresses();
    const ann = email("ann");
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () => {
        const { peer, headers } = viaProxy(next());
        return signIn(peer, ann, "wrong-horse", headers).then((response) => response.status);
      }),
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it("can be tuned, or switched off with SIGN_IN_MAX_FAILURES=0", async () => {
    const tuned = await setUp({ SIGN_IN_MAX_FAILURES: "2" });
    const next = addresses();
    const attempt = async (s: typeof tuned) => {
      const { peer, headers } = s.viaProxy(next());
      return (await s.signIn(peer, "ann@example.com", "wrong-horse", headers)).status;
    };
    expect([await attempt(tuned), await attempt(tuned), await attempt(tuned)]).toEqual([401, 401, 429]);

    const off = await setUp({ SIGN_IN_MAX_FAILURES: "0" });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await attempt(off));
    expect(statuses.every((status) => status === 401)).toBe(true);
  });
});

describe("names", { timeout: 60_000 }, () => {
  it(`refuses a name over ${MAX_NAME_LENGTH} characters at sign-up, and takes one of exactly ${MAX_NAME_LENGTH}`, async () => {
    const { signUp } = shared;
    const next = addresses();
    const [long, huge, emoji, exact] = ["long", "huge", "emoji", "exact"].map(email);
    const tooLong = await signUp(next(), long, "a".repeat(MAX_NAME_LENGTH + 1));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe(NAME_TOO_LONG);
    expect(tooLong.body.message).toMatch(/at most 100 characters/);

    const hugeName = await signUp(next(), huge, "a".repeat(2_000_000));
    expect(hugeName.status).toBe(400);

    // Characters, not UTF-16 units: 100 emoji are 200 units.
    const emojiName = await signUp(next(), emoji, "🙂".repeat(MAX_NAME_LENGTH));
    expect(emojiName.status).toBe(200);
    const exactName = await signUp(next(), exact, "a".repeat(MAX_NAME_LENGTH));
    expect(exactName.status).toBe(200);
    // The refused sign-ups left no account behind.
    const retry = await signUp(next(), long, "Ann");
    expect(retry.status).toBe(200);
  });

  it(`refuses a name over ${MAX_NAME_LENGTH} characters in update-user and keeps the old one`, async () => {
    const { signUp, call } = shared;
    const next = addresses();
    const created = await signUp(next(), email("ann"));
    const cookie = created.headers.get("set-cookie")!.split(";")[0];
    const peer = next();
    const update = (name: string) => call("/update-user", { peer, body: { name }, headers: { cookie } });

    const refused = await update("b".repeat(MAX_NAME_LENGTH + 1));
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(NAME_TOO_LONG);
    const session = await call("/get-session", { peer, headers: { cookie } });
    expect((session.body.user as { name: string }).name).toBe("Ann");

    expect((await update("c".repeat(MAX_NAME_LENGTH))).status).toBe(200);
  });
});

describe("several web instances on one accounts database", { timeout: 60_000 }, () => {
  it("share one sign-in limit: the counters are rows in the database, not in either process", async () => {
    // AUTH_DATABASE_URL set is what makes instances shareable; the store itself is a
    // PGlite both instances are handed, standing in for the one PostgreSQL.
    const store = new PGlite();
    const env = { AUTH_DATABASE_URL: "postgres://accounts.example/shared" };
    const first = await setUp(env, store);
    const second = await setUp(env, store);
    const peer = addresses()();
    const statuses = [
      (await first.signIn(peer, email("nobody"), "wrong-horse")).status,
      (await second.signIn(peer, email("nobody"), "wrong-horse")).status,
      (await first.signIn(peer, email("nobody"), "wrong-horse")).status,
      (await second.signIn(peer, email("nobody"), "wrong-horse")).status,
    ];
    // Better Auth allows 3 sign-in attempts per 10 s per address, counted across both.
    expect(statuses).toEqual([401, 401, 401, 429]);
    const { rows } = await store.query<{ count: number }>(`select "count" from "rateLimit" where "key" like $1`, [
      `%${peer}%`,
    ]);
    expect(rows.map((row) => Number(row.count))).toEqual([3]);
  });

  it("keeps the counters in memory on the embedded store, which only one process can open", async () => {
    const store = new PGlite();
    await setUp({}, store);
    const { rows } = await store.query(`select 1 from information_schema.tables where table_name = 'rateLimit'`);
    expect(rows).toEqual([]);
  });
});
