// @vitest-environment node
import { afterEach, describe, expect, it, vi } from "vitest";
import { CLIENT_ADDRESS_HEADER, forwardingWarning, withClientAddress, withRetryAfter } from "./auth-request";
import { parseTrustedProxies } from "./client-ip";
import { PEER_ADDRESS_HEADER, peerStampToken } from "./peer-address";

const trusted = parseTrustedProxies("10.0.0.2");
const stamped = (peer: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost:3000/api/auth/sign-in/email", {
    method: "POST",
    headers: { ...headers, [PEER_ADDRESS_HEADER]: `${peerStampToken()} ${peer}` },
    body: JSON.stringify({ email: "ann@example.com" }),
  });

afterEach(() => vi.restoreAllMocks());

describe("withClientAddress", () => {
  it("hands Better Auth the worked-out client address and nothing a client wrote under the private names", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const direct = withClientAddress(
      stamped("203.0.113.7", { "x-forwarded-for": "198.51.100.1", [CLIENT_ADDRESS_HEADER]: "198.51.100.2" }),
      trusted,
    );
    expect(direct.headers.get(CLIENT_ADDRESS_HEADER)).toBe("203.0.113.7");
    expect(direct.headers.has(PEER_ADDRESS_HEADER)).toBe(false);
    expect(await direct.json()).toEqual({ email: "ann@example.com" }); // the body goes along

    const proxied = withClientAddress(stamped("10.0.0.2", { "x-forwarded-for": "198.51.100.1, 203.0.113.8" }), trusted);
    expect(proxied.headers.get(CLIENT_ADDRESS_HEADER)).toBe("203.0.113.8");
  });

  it("leaves the address out when the socket address is unknown (no valid stamp)", () => {
    const unstamped = new Request("http://localhost:3000/api/auth/ok", {
      headers: { "x-forwarded-for": "198.51.100.1", [PEER_ADDRESS_HEADER]: "198.51.100.3", [CLIENT_ADDRESS_HEADER]: "198.51.100.2" },
    });
    const seen = withClientAddress(unstamped, trusted);
    expect(seen.headers.has(CLIENT_ADDRESS_HEADER)).toBe(false);
    expect(seen.headers.has(PEER_ADDRESS_HEADER)).toBe(false);
  });

  it("says once in the log that forwarding headers from an untrusted peer are ignored", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    forwardingWarning.logged = false;
    // What Next.js adds itself (X-Forwarded-For = the socket address) is no reason to warn.
    withClientAddress(stamped("203.0.113.9", { "x-forwarded-for": "::ffff:203.0.113.9" }), trusted);
    expect(warn).not.toHaveBeenCalled();
    withClientAddress(stamped("203.0.113.9", { "x-forwarded-for": "198.51.100.1" }), trusted);
    withClientAddress(stamped("203.0.113.9", { "x-real-ip": "198.51.100.1" }), trusted);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/TRUSTED_PROXIES/);
  });
});

describe("withRetryAfter", () => {
  it("adds Retry-After to Better Auth's 429, and leaves other answers alone", async () => {
    const limited = withRetryAfter(new Response("{}", { status: 429, headers: { "X-Retry-After": "7" } }));
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(limited.status).toBe(429);
    const ok = new Response("{}", { status: 200, headers: { "X-Retry-After": "7" } });
    expect(withRetryAfter(ok)).toBe(ok);
    const own = withRetryAfter(new Response("{}", { status: 429, headers: { "Retry-After": "900" } }));
    expect(own.headers.get("retry-after")).toBe("900");
  });
});
