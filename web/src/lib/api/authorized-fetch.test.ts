import { describe, expect, it, vi } from "vitest";
import { createAuthorizedFetch } from "./authorized-fetch";
import { TokenStore } from "./token-store";

function storeWith(...tokens: string[]) {
  const source = vi.fn(async () => tokens.shift() ?? "no-more-tokens");
  return { store: new TokenStore(source), source };
}

describe("createAuthorizedFetch", () => {
  it("sends the token as a Bearer header", async () => {
    const { store } = storeWith("t1");
    const seen: (string | null)[] = [];
    const send = createAuthorizedFetch(store, async (request) => {
      seen.push(request.headers.get("Authorization"));
      return new Response("[]", { status: 200 });
    });

    const response = await send(new Request("http://api.test/api/u/tasks"));
    expect(response.status).toBe(200);
    expect(seen).toEqual(["Bearer t1"]);
  });

  it("retries once with a fresh token after a 401, resending the body", async () => {
    const { store, source } = storeWith("stale", "fresh");
    const seen: { auth: string | null; body: string }[] = [];
    const send = createAuthorizedFetch(store, async (request) => {
      seen.push({ auth: request.headers.get("Authorization"), body: await request.text() });
      return new Response(null, { status: seen.length === 1 ? 401 : 201 });
    });

    const response = await send(
      new Request("http://api.test/api/u/tasks", { method: "POST", body: '{"title":"Buy milk"}' }),
    );
    expect(response.status).toBe(201);
    expect(source).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([
      { auth: "Bearer stale", body: '{"title":"Buy milk"}' },
      { auth: "Bearer fresh", body: '{"title":"Buy milk"}' },
    ]);
  });

  it("gives up after the one retry", async () => {
    const { store } = storeWith("a", "b", "c");
    const baseFetch = vi.fn(async () => new Response(null, { status: 401 }));
    const send = createAuthorizedFetch(store, baseFetch);

    expect((await send(new Request("http://api.test/x"))).status).toBe(401);
    expect(baseFetch).toHaveBeenCalledTimes(2);
  });
});
