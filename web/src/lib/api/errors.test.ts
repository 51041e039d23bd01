import { describe, expect, it } from "vitest";
import { ApiError, describeError, fieldMessage, UNREACHABLE_MESSAGE } from "./errors";

const problemResponse = (status: number, headers: Record<string, string> = {}) =>
  new Response(null, { status, headers: { "Content-Type": "application/problem+json", ...headers } });

describe("ApiError.fromResponse", () => {
  it("uses the problem document's detail and keeps its field errors", () => {
    const error = ApiError.fromResponse(problemResponse(422), {
      type: "about:blank",
      title: "Unprocessable Entity",
      status: 422,
      detail: "title: must not be empty",
      errors: [{ field: "title", message: "must not be empty" }],
    });
    expect(error.kind).toBe("rejected");
    expect(error.message).toBe("title: must not be empty");
    expect(fieldMessage(error, "title")).toBe("must not be empty");
    expect(fieldMessage(error, "description")).toBeUndefined();
  });

  it("falls back to the field messages, then the title", () => {
    expect(
      ApiError.fromResponse(problemResponse(422), { errors: [{ field: "title", message: "too long" }] }).message,
    ).toBe("too long");
    expect(ApiError.fromResponse(problemResponse(404), { title: "Not Found" }).message).toBe("Not Found");
    expect(ApiError.fromResponse(problemResponse(400), "not json").message).toContain("HTTP 400");
  });

  it("says the service is unavailable for 503 and asks to wait on 429", () => {
    const unavailable = ApiError.fromResponse(problemResponse(503), { detail: "database is down" });
    expect(unavailable.kind).toBe("unavailable");
    expect(unavailable.message).toMatch(/unavailable/i);
    expect(unavailable.message).not.toContain("database");

    const limited = ApiError.fromResponse(problemResponse(429, { "Retry-After": "12" }), {});
    expect(limited.kind).toBe("rate-limited");
    expect(limited.message).toContain("12 seconds");
  });

  it("treats 401 as an ended session", () => {
    expect(ApiError.fromResponse(problemResponse(401), { detail: "expired" }).kind).toBe("unauthenticated");
  });
});

describe("describeError", () => {
  it("says the service cannot be reached for errors that are not ApiErrors", () => {
    expect(describeError(new TypeError("Failed to fetch"))).toBe(UNREACHABLE_MESSAGE);
    expect(UNREACHABLE_MESSAGE).toMatch(/cannot reach the task service/i);
  });
});
