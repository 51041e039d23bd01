// @vitest-environment node
import { describe, expect, it } from "vitest";
import { normalizeAddress, parseTrustedProxies, resolveClientAddress, TrustedProxiesError } from "./client-ip";

const headers = (values: Record<string, string>) => new Headers(values);

describe("normalizeAddress", () => {
  it("keeps one spelling per address and drops ports and brackets", () => {
    expect(normalizeAddress("203.0.113.7")).toBe("203.0.113.7");
    expect(normalizeAddress(" 203.0.113.7 ")).toBe("203.0.113.7");
    expect(normalizeAddress("203.0.113.7:5123")).toBe("203.0.113.7");
    expect(normalizeAddress("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(normalizeAddress("::FFFF:cb00:7107")).toBe("203.0.113.7");
    expect(normalizeAddress("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(normalizeAddress("2001:DB8::1")).toBe("2001:db8::1");
    expect(normalizeAddress("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(normalizeAddress("::1")).toBe("::1");
  });

  it("refuses what is not an address", () => {
    for (const text of ["", "unknown", "1.2.3", "1.2.3.256", "10.0.0.1/8", "example.com", "2001:db8::1::2", "1.2.3.4, 5.6.7.8"]) {
      expect(normalizeAddress(text), text).toBeUndefined();
    }
  });
});

describe("parseTrustedProxies (TRUSTED_PROXIES)", () => {
  it("trusts nobody by default", () => {
    for (const value of [undefined, "", " , "]) {
      const trusted = parseTrustedProxies(value);
      expect(trusted.entries).toEqual([]);
      expect(trusted.has("127.0.0.1")).toBe(false);
      expect(trusted.has("::1")).toBe(false);
    }
  });

  it("reads addresses and CIDR ranges of both families", () => {
    const trusted = parseTrustedProxies(" 10.0.0.0/8, 192.168.1.10 ,fd00::/8, ::1");
    expect(trusted.entries).toEqual(["10.0.0.0/8", "192.168.1.10", "fd00::/8", "::1"]);
    expect(trusted.has("10.255.0.1")).toBe(true);
    expect(trusted.has("11.0.0.1")).toBe(false);
    expect(trusted.has("192.168.1.10")).toBe(true);
    expect(trusted.has("192.168.1.11")).toBe(false);
    expect(trusted.has("fd12:3456::1")).toBe(true);
    expect(trusted.has("fe80::1")).toBe(false);
    expect(trusted.has("::1")).toBe(true);
    expect(trusted.has("not an address")).toBe(false);
  });

  it("handles the edges of a range", () => {
    const trusted = parseTrustedProxies("172.16.0.0/12,0.0.0.0/0");
    expect(trusted.has("172.31.255.255")).toBe(true);
    expect(parseTrustedProxies("172.16.0.0/12").has("172.32.0.0")).toBe(false);
    expect(trusted.has("8.8.8.8")).toBe(true); // /0 trusts every IPv4 peer: allowed, if unwise
    expect(parseTrustedProxies("192.0.2.1/32").has("192.0.2.1")).toBe(true);
    expect(parseTrustedProxies("192.0.2.1/32").has("192.0.2.2")).toBe(false);
  });

  it("treats an IPv4-mapped entry as its IPv4 address", () => {
    expect(parseTrustedProxies("::ffff:127.0.0.1").has("127.0.0.1")).toBe(true);
  });

  it("refuses a malformed entry, naming it, instead of skipping it", () => {
    for (const entry of ["10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8/1", "10.0.0.0/x", "localhost", "10.0.0.1:80", "[::1]", "::ffff:10.0.0.0/104", "10.0.0.0/-1"]) {
      expect(() => parseTrustedProxies(`127.0.0.1, ${entry}`), entry).toThrow(TrustedProxiesError);
      expect(() => parseTrustedProxies(entry), entry).toThrow(`"${entry}"`);
    }
  });
});

describe("resolveClientAddress", () => {
  const none = parseTrustedProxies("");
  const proxies = parseTrustedProxies("10.0.0.0/8, ::1");

  it("takes the socket address from a peer that is not a trusted proxy, whatever the headers claim", () => {
    const spoofed = headers({ "x-forwarded-for": "198.51.100.1", "x-real-ip": "198.51.100.2" });
    expect(resolveClientAddress("203.0.113.7", spoofed, none)).toBe("203.0.113.7");
    expect(resolveClientAddress("::ffff:203.0.113.7", spoofed, none)).toBe("203.0.113.7");
    expect(resolveClientAddress("203.0.113.7", spoofed, proxies)).toBe("203.0.113.7");
    // Even a loopback peer is only trusted when configured.
    expect(resolveClientAddress("127.0.0.1", spoofed, none)).toBe("127.0.0.1");
  });

  it("behind a trusted proxy takes the right-most address that is not a trusted proxy", () => {
    expect(resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "203.0.113.7" }), proxies)).toBe("203.0.113.7");
    // The client prepended a made-up address; the proxy appended the real one.
    expect(resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "198.51.100.1, 203.0.113.7" }), proxies)).toBe("203.0.113.7");
    // Two trusted hops.
    expect(
      resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "198.51.100.1, 203.0.113.7, 10.1.1.1" }), proxies),
    ).toBe("203.0.113.7");
    expect(resolveClientAddress("::1", headers({ "x-forwarded-for": "[2001:db8::7]:443" }), proxies)).toBe("2001:db8::7");
    expect(resolveClientAddress("::ffff:10.0.0.2", headers({ "x-forwarded-for": "203.0.113.7:5123" }), proxies)).toBe(
      "203.0.113.7",
    );
  });

  it("reads X-Real-IP when a trusted proxy sends no X-Forwarded-For", () => {
    expect(resolveClientAddress("10.0.0.2", headers({ "x-real-ip": "203.0.113.7" }), proxies)).toBe("203.0.113.7");
    expect(
      resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "203.0.113.8", "x-real-ip": "203.0.113.7" }), proxies),
    ).toBe("203.0.113.8");
  });

  it("falls back to the nearest trusted hop when the chain is missing, garbled or all trusted", () => {
    expect(resolveClientAddress("10.0.0.2", headers({}), proxies)).toBe("10.0.0.2");
    expect(resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "" }), proxies)).toBe("10.0.0.2");
    expect(resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "unknown" }), proxies)).toBe("10.0.0.2");
    expect(resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "203.0.113.7, garbage, 10.0.0.3" }), proxies)).toBe(
      "10.0.0.3",
    );
    expect(resolveClientAddress("10.0.0.2", headers({ "x-forwarded-for": "10.0.0.4, 10.0.0.3" }), proxies)).toBe("10.0.0.4");
  });

  it("knows nothing when the socket address is unknown", () => {
    expect(resolveClientAddress(undefined, headers({ "x-forwarded-for": "203.0.113.7" }), proxies)).toBeUndefined();
    expect(resolveClientAddress("garbage", headers({ "x-forwarded-for": "203.0.113.7" }), proxies)).toBeUndefined();
  });
});
