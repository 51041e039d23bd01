import { describe, expect, it } from "vitest";
import { ApiError, describeError, describeFormError, fieldMessage, UNREACHABLE_MESSAGE } from "./errors";
import { createTaskApi } from "./task-api";

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
  it("says the service cannot be reached only for network failures", () => {
    expect(describeError(new TypeError("Failed to fetch"))).toBe(UNREACHABLE_MESSAGE);
    expect(UNREACHABLE_MESSAGE).toMatch(/cannot reach the task service/i);
  });

  it("does not blame the network for other exceptions", () => {
    expect(describeError(new SyntaxError("Unexpected token <"))).not.toMatch(/cannot reach/i);
    expect(describeError(new Error("boom"))).toMatch(/something went wrong/i);
    expect(describeError("a string")).toMatch(/something went wrong/i);
  });
});

describe("describeFormError", () => {
  const invalid = ApiError.fromResponse(problemResponse(422), {
    detail: "title: is too long",
    errors: [{ field: "title", message: "is too long" }],
  });

  it("points at the highlighted fields instead of repeating their messages", () => {
    expect(describeFormError(invalid, ["title", "description"])).toBe("Check the highlighted fields.");
  });

  it("keeps the API's words when no shown field is named", () => {
    expect(describeFormError(invalid, ["description"])).toBe("title: is too long");
    expect(describeFormError(ApiError.unreachable(), ["title"])).toBe(UNREACHABLE_MESSAGE);
  });
});

describe("the task API client's errors", () => {
  const apiWith = (fetch: (request: Request) => Promise<Response>) =>
    createTaskApi({ baseUrl: "http://api.test", userId: "u", fetch });

  it("turns a failed fetch into an unreachable error", async () => {
    const error = await apiWith(async () => {
      throw new TypeError("Failed to fetch");
    })
      .create({ title: "x" })
      .catch((caught: unknown) => caught);
    expect((error as ApiError).kind).toBe("unreachable");
  });

  it("takes a deletion answered 404 as done (the task is gone already), and reports other refusals", async () => {
    await expect(apiWith(async () => problemResponse(404)).remove(7)).resolves.toBeUndefined();
    const refused = await apiWith(async () => problemResponse(403))
      .remove(7)
      .catch((caught: unknown) => caught);
    expect((refused as ApiError).status).toBe(403);
  });

  it("does not call an unreadable answer unreachable", async () => {
    const error = await apiWith(
      async () => new Response("<html>not json</html>", { status: 201, headers: { "Content-Type": "application/json" } }),
    )
      .create({ title: "x" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/could not read/);
    expect((error as ApiError).message).not.toMatch(/cannot reach/i);
  });
});
