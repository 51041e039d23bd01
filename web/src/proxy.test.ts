// @vitest-environment node
// The proxy in front of every page, with Next.js's own NextRequest: server actions
// are refused unless their Origin is the configured one, whatever X-Forwarded-Host says.
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { proxy } from "./proxy";

afterEach(() => {
  vi.unstubAllEnvs();
});

function action(headers: Record<string, string>) {
  return new NextRequest("http://localhost:3000/sessions", {
    method: "POST",
    headers: { "next-action": "7f00c0ffee", "content-type": "text/plain;charset=UTF-8", host: "localhost:3000", ...headers },
    body: "[]",
  });
}

const passedOn = (response: Response) => response.headers.get("x-middleware-next") === "1";

describe("server actions from other sites (item 8)", () => {
  it("refuses a cross-site Origin even when X-Forwarded-Host names that site", () => {
    vi.stubEnv("BETTER_AUTH_URL", "http://localhost:3000");
    const cases: Record<string, string>[] = [
      { origin: "https://evil.example", "x-forwarded-host": "evil.example" },
      { origin: "https://evil.example" },
      { origin: "http://localhost:3001", "x-forwarded-host": "localhost:3001" },
      {},
    ];
    for (const headers of cases) {
      const response = proxy(action(headers));
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(passedOn(response)).toBe(false);
    }
  });

  it("lets the configured origin and BETTER_AUTH_TRUSTED_ORIGINS through, and leaves other requests alone", () => {
    vi.stubEnv("BETTER_AUTH_URL", "https://todo.example.com/");
    vi.stubEnv("BETTER_AUTH_TRUSTED_ORIGINS", "https://app.example.org");
    expect(passedOn(proxy(action({ origin: "https://todo.example.com", "x-forwarded-host": "todo.example.com" })))).toBe(true);
    expect(passedOn(proxy(action({ origin: "https://app.example.org" })))).toBe(true);
    expect(proxy(action({ origin: "http://localhost:3000" })).status).toBe(403);
    // A form posted before the page's scripts ran carries no Next-Action header; it is checked alike.
    const form = new NextRequest("http://localhost:3000/sessions", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "multipart/form-data; boundary=x" },
      body: "--x--",
    });
    expect(proxy(form).status).toBe(403);
    // A page view is not this check's business.
    expect(passedOn(proxy(new NextRequest("http://localhost:3000/tasks", { headers: { origin: "https://evil.example" } })))).toBe(true);
  });
});
