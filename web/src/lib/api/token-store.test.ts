import { describe, expect, it, vi } from "vitest";
import { clearAllTokens, TokenStore, trackTokenStore } from "./token-store";

function jwtWith(claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}.signature`;
}

describe("TokenStore", () => {
  it("reuses a token until shortly before it expires, then fetches a new one", async () => {
    let now = 1_000_000_000_000;
    const iat = now / 1000;
    const tokens = [jwtWith({ sub: "u", iat, exp: iat + 900 }), jwtWith({ sub: "u", iat: iat + 850, exp: iat + 1750 })];
    const source = vi.fn(async () => tokens[source.mock.calls.length - 1]);
    const store = new TokenStore(source, () => now);

    expect(await store.get()).toBe(tokens[0]);
    now += 800_000; // 100 s before exp: still outside the 60 s renewal margin
    expect(await store.get()).toBe(tokens[0]);
    expect(source).toHaveBeenCalledTimes(1);

    now += 50_000; // 50 s before exp: renew
    expect(await store.get()).toBe(tokens[1]);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it("renews short-lived tokens at 80% of their lifetime", async () => {
    let now = 2_000_000_000_000;
    const iat = now / 1000;
    const source = vi.fn(async () => jwtWith({ iat, exp: iat + 20 }));
    const store = new TokenStore(source, () => now);

    await store.get();
    now += 15_000;
    await store.get();
    expect(source).toHaveBeenCalledTimes(1);
    now += 1_500; // 16.5 s of 20 s
    await store.get();
    expect(source).toHaveBeenCalledTimes(2);
  });

  it("shares one fetch among concurrent callers and refreshes on demand", async () => {
    const iat = Math.floor(Date.now() / 1000);
    let count = 0;
    const source = vi.fn(async () => jwtWith({ n: ++count, iat, exp: iat + 900 }));
    const store = new TokenStore(source);

    const [a, b] = await Promise.all([store.get(), store.get()]);
    expect(a).toBe(b);
    expect(source).toHaveBeenCalledTimes(1);

    const fresh = await store.refresh();
    expect(fresh).not.toBe(a);
    expect(await store.get()).toBe(fresh);
  });

  it("forgets the token on clear and passes fetch failures on", async () => {
    const iat = Math.floor(Date.now() / 1000);
    const source = vi.fn<() => Promise<string>>().mockResolvedValueOnce(jwtWith({ iat, exp: iat + 900 }));
    source.mockRejectedValueOnce(new Error("signed out"));
    const store = new TokenStore(source);

    await store.get();
    store.clear();
    await expect(store.get()).rejects.toThrow("signed out");
  });
});

describe("clearAllTokens", () => {
  it("clears every tracked store, and only while it is tracked", async () => {
    const exp = Math.floor(Date.now() / 1000) + 900;
    let issued = 0;
    const store = new TokenStore(async () => jwtWith({ exp, n: ++issued }));
    const untrack = trackTokenStore(store);
    await store.get();
    await store.get();
    expect(issued).toBe(1);
    clearAllTokens();
    await store.get();
    expect(issued).toBe(2);

    untrack();
    clearAllTokens();
    await store.get();
    expect(issued).toBe(2);
  });
});
