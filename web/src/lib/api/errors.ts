import type { Problem } from "./types";

export type ApiErrorKind =
  /** The request never got an answer: the API is down or unreachable. */
  | "unreachable"
  /** 503 or another 5xx: the service is up but cannot serve now. */
  | "unavailable"
  /** This app's session has ended: asking it for a token was answered 401. */
  | "unauthenticated"
  /**
   * The API answered 401 to a token this app had just issued: the session is
   * fine, but the two services disagree on how tokens are signed or checked
   * (secret, issuer, audience, keys). Signing in again would not help.
   */
  | "token-refused"
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
const TOKEN_REFUSED_MESSAGE =
  "The task service did not accept your sign-in, so it cannot be used right now. This is a problem with the services' setup, not with your account; try again later.";
const UNREADABLE_MESSAGE = "The task service sent an answer this page could not read. Try again in a moment.";
const UNEXPECTED_MESSAGE = "Something went wrong while talking to the task service. Try again.";

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

  static tokenRefused(): ApiError {
    return new ApiError("token-refused", TOKEN_REFUSED_MESSAGE, 401);
  }

  /** The answer arrived but could not be parsed (not JSON where JSON was due). */
  static unreadable(): ApiError {
    return new ApiError("unavailable", UNREADABLE_MESSAGE);
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

/** fetch() rejects with a TypeError when no answer came back at all. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError;
}

/** A sentence for any error thrown while talking to the API. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (isNetworkError(error)) return UNREACHABLE_MESSAGE;
  return UNEXPECTED_MESSAGE;
}

/**
 * The sentence for a form's alert: when the API named fields the form shows
 * (their messages appear next to them), a pointer to those instead of a repeat.
 */
export function describeFormError(error: unknown, shownFields: readonly string[]): string {
  if (error instanceof ApiError && error.fieldErrors.some((item) => shownFields.includes(item.field))) {
    return "Check the highlighted fields.";
  }
  return describeError(error);
}

/** The messages the API gave for one field (e.g. "title"), joined. */
export function fieldMessage(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const messages = error.fieldErrors.filter((item) => item.field === field).map((item) => item.message);
  return messages.length ? messages.join(" ") : undefined;
}
