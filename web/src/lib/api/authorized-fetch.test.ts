import { describe, expect, it, vi } from "vitest";
import { createAuthorizedFetch } from "./authorized-fetch";
import { ApiError } from "./errors";
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

  it("gives up after the one retry: the API refusing a fresh token is not an ended session", async () => {
    const { store } = storeWith("a", "b", "c");
    const baseFetch = vi.fn(async () => new Response(null, { status: 401 }));
    const send = createAuthorizedFetch(store, baseFetch);

    const error = await send(new Request("http://api.test/x")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).kind).toBe("token-refused");
    expect((error as ApiError).message).toMatch(/did not accept your sign-in/);
    expect(baseFetch).toHaveBeenCalledTimes(2);
  });

  it("says the session has ended when no fresh token can be had", async () => {
    let calls = 0;
    const store = new TokenStore(async () => {
      calls += 1;
      if (calls === 1) return "stale";
      throw ApiError.unauthenticated();
    });
    const send = createAuthorizedFetch(store, async () => new Response(null, { status: 401 }));

    const error = await send(new Request("http://api.test/x")).catch((caught: unknown) => caught);
    expect((error as ApiError).kind).toBe("unauthenticated");
  });
});
