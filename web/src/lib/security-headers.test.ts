import { describe, expect, it } from "vitest";
import { pageContentSecurityPolicy, STATIC_SECURITY_HEADERS } from "./security-headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

const base = { nonce: "bm9uY2Utbm9uY2Utbm9uY2U=", apiUrl: "http://127.0.0.1:8000/", development: false, https: false };

describe("security headers", () => {
  it("lets scripts run only with the response's nonce, and nothing frame the page", () => {
    const policy = directives(pageContentSecurityPolicy(base));
    expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${base.nonce}'`, "'strict-dynamic'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
  });

  it("allows the task API's origin as the page reaches it, and nothing else off-site", () => {
    expect(directives(pageContentSecurityPolicy(base)).get("connect-src")).toEqual(["'self'", "http://127.0.0.1:8000"]);
    const remote = pageContentSecurityPolicy({ ...base, apiUrl: "https://api.example.com/v1", https: true });
    expect(directives(remote).get("connect-src")).toEqual(["'self'", "https://api.example.com"]);
    expect(directives(remote).has("upgrade-insecure-requests")).toBe(true);
    // A value that is not an http(s) URL adds nothing.
    for (const apiUrl of ["not a url", "javascript:alert(1)", "*"]) {
      expect(directives(pageContentSecurityPolicy({ ...base, apiUrl })).get("connect-src")).toEqual(["'self'"]);
    }
  });

  it("in development adds what next dev needs: eval for React's debugging aids and the dev server's websocket", () => {
    const policy = directives(pageContentSecurityPolicy({ ...base, development: true, selfOrigin: "http://localhost:3000" }));
    expect(policy.get("script-src")).toContain("'unsafe-eval'");
    expect(policy.get("connect-src")).toContain("ws://localhost:3000");
    expect(directives(pageContentSecurityPolicy(base)).get("script-src")).not.toContain("'unsafe-eval'");
  });

  it("sends nosniff, DENY framing and a referrer policy that keeps the Origin header", () => {
    expect(Object.fromEntries(STATIC_SECURITY_HEADERS.map(({ key, value }) => [key, value]))).toEqual({
      "X-Frame-Options": "DENY",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
  });
});
