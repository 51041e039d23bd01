import type { Problem } from "./types";

export type ApiErrorKind =
  /** The request never got an answer: the API is down or unreachable. */
  | "unreachable"
  /** 503 or another 5xx: the service is up but cannot serve now. */
  | "unavailable"
  /** 401 even with a fresh token, or no token could be had. */
  | "unauthenticated"
  | "rate-limited"
  /** Any other 4xx: the problem document explains it. */
  | "rejected";

export interface FieldMessage {
  field: string;
  message: string;
}

export const UNREACHABLE_MESSAGE =
  "Cannot reach the task service. Check that it is running and that you are online, then try again.";
const UNAVAILABLE_MESSAGE = "The task service is unavailable right now. Try again in a moment.";
const UNAUTHENTICATED_MESSAGE = "Your session has ended. Please sign in again.";

export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly fieldErrors: FieldMessage[] = [],
  ) {
    super(message);
  }

  static unreachable(): ApiError {
    return new ApiError("unreachable", UNREACHABLE_MESSAGE);
  }

  static unauthenticated(): ApiError {
    return new ApiError("unauthenticated", UNAUTHENTICATED_MESSAGE, 401);
  }

  /** Builds the error for a non-2xx response from its status, headers and (problem) body. */
  static fromResponse(response: Response, body: unknown): ApiError {
    const status = response.status;
    const problem = asProblem(body);
    if (status === 401) return ApiError.unauthenticated();
    if (status === 429) {
      const retryAfter = Number(response.headers.get("Retry-After"));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? `${retryAfter} seconds` : "a moment";
      return new ApiError("rate-limited", `Too many requests. Please wait ${wait} and try again.`, status);
    }
    if (status >= 500) return new ApiError("unavailable", UNAVAILABLE_MESSAGE, status);
    const fieldErrors = problem?.errors ?? [];
    const message =
      problem?.detail?.trim() ||
      fieldErrors.map((error) => error.message).join(" ") ||
      problem?.title?.trim() ||
      `The task service refused the request (HTTP ${status}).`;
    return new ApiError("rejected", message, status, fieldErrors);
  }
}

function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const candidate = body as Record<string, unknown>;
  const errors = Array.isArray(candidate.errors)
    ? candidate.errors.filter(
        (item): item is FieldMessage =>
          typeof item === "object" &&
          item !== null &&
          typeof (item as FieldMessage).field === "string" &&
          typeof (item as FieldMessage).message === "string",
      )
    : undefined;
  return {
    type: typeof candidate.type === "string" ? candidate.type : undefined,
    title: typeof candidate.title === "string" ? candidate.title : undefined,
    status: typeof candidate.status === "number" ? candidate.status : undefined,
    detail: typeof candidate.detail === "string" ? candidate.detail : undefined,
    errors,
  };
}

/** A sentence for any error thrown while talking to the API. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return UNREACHABLE_MESSAGE;
}

/** The messages the API gave for one field (e.g. "title"), joined. */
export function fieldMessage(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const messages = error.fieldErrors.filter((item) => item.field === field).map((item) => item.message);
  return messages.length ? messages.join(" ") : undefined;
}
