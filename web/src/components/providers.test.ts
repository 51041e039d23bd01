import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { makeQueryClient, shouldRetryQuery } from "./providers";

const rejected = (status: number) => ApiError.fromResponse(new Response(null, { status }), {});

describe("query retries", () => {
  it("retries once when the task service is unreachable or unavailable", () => {
    expect(shouldRetryQuery(0, ApiError.unreachable())).toBe(true);
    expect(shouldRetryQuery(0, rejected(503))).toBe(true);
    expect(shouldRetryQuery(1, ApiError.unreachable())).toBe(false);
    expect(shouldRetryQuery(1, rejected(503))).toBe(false);
  });

  it("does not retry what would fail again", () => {
    // 401 has had its retry with a fresh token inside authorized-fetch already.
    expect(shouldRetryQuery(0, ApiError.unauthenticated())).toBe(false);
    expect(shouldRetryQuery(0, ApiError.tokenRefused())).toBe(false);
    for (const status of [403, 404, 422, 429]) expect(shouldRetryQuery(0, rejected(status))).toBe(false);
    expect(shouldRetryQuery(0, new Error("a bug"))).toBe(false);
  });

  it("is the query client's policy", () => {
    expect(makeQueryClient().getDefaultOptions().queries?.retry).toBe(shouldRetryQuery);
  });
});
