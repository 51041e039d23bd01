import { describe, expect, it, vi } from "vitest";
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

describe("an ended session", () => {
  const fail = (error: unknown) => () => Promise.reject(error);

  it("sends the person to sign-in from a failed load or a failed change, once", async () => {
    const afterLoad = vi.fn();
    const loading = makeQueryClient(afterLoad);
    await loading.fetchQuery({ queryKey: ["tasks"], queryFn: fail(ApiError.unauthenticated()) }).catch(() => {});
    expect(afterLoad).toHaveBeenCalledTimes(1);

    const afterChange = vi.fn();
    const changing = makeQueryClient(afterChange);
    const change = () => changing.getMutationCache().build(changing, { mutationFn: fail(ApiError.unauthenticated()) });
    await change().execute(undefined).catch(() => {});
    expect(afterChange).toHaveBeenCalledTimes(1);
    // A second failure at the same moment would only abort the first navigation.
    await change().execute(undefined).catch(() => {});
    await changing.fetchQuery({ queryKey: ["tasks"], queryFn: fail(ApiError.unauthenticated()) }).catch(() => {});
    expect(afterChange).toHaveBeenCalledTimes(1);
  });

  it("does not for any other failure (signing in again would not help)", async () => {
    const onSessionEnded = vi.fn();
    const client = makeQueryClient(onSessionEnded);
    for (const error of [ApiError.tokenRefused(), ApiError.unreachable(), rejected(403), new Error("a bug")]) {
      await client.fetchQuery({ queryKey: ["tasks", String(error)], queryFn: fail(error) }).catch(() => {});
      const change = client.getMutationCache().build(client, { mutationFn: fail(error) });
      await change.execute(undefined).catch(() => {});
    }
    expect(onSessionEnded).not.toHaveBeenCalled();
  });
});
