import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchApiToken } from "./api-token";

const fetchMock = vi.fn<typeof fetch>();

function answer(status: number, body: string) {
  fetchMock.mockResolvedValueOnce(new Response(body, { status, headers: { "content-type": "application/json" } }));
}

afterEach(() => {
  fetchMock.mockReset();
  vi.unstubAllGlobals();
});

describe("fetchApiToken", () => {
  it("asks this app's auth routes with the session cookie and returns the token", async () => {
    vi.stubGlobal("fetch", fetchMock);
    answer(200, JSON.stringify({ token: "a.b.c" }));

    await expect(fetchApiToken()).resolves.toBe("a.b.c");
    expect(fetchMock).toHaveBeenCalledWith("/api/auth/token", { credentials: "same-origin", cache: "no-store" });
  });

  it("reports an ended session on 401", async () => {
    vi.stubGlobal("fetch", fetchMock);
    answer(401, JSON.stringify({ message: "Unauthorized" }));

    await expect(fetchApiToken()).rejects.toMatchObject({ kind: "unauthenticated", status: 401 });
  });

  it.each([
    ["a server error", 500, JSON.stringify({ token: "a.b.c" })],
    ["an answer without a token", 200, JSON.stringify({})],
    ["an empty token", 200, JSON.stringify({ token: "" })],
    ["an answer that is not JSON", 200, "<html>"],
  ])("reports the service unavailable on %s", async (_, status, body) => {
    vi.stubGlobal("fetch", fetchMock);
    answer(status, body);

    await expect(fetchApiToken()).rejects.toMatchObject({ kind: "unavailable" });
  });

  it("reports the sign-in service unreachable when the request fails", async () => {
    vi.stubGlobal("fetch", fetchMock);
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));

    await expect(fetchApiToken()).rejects.toMatchObject({ kind: "unreachable" });
  });
});
