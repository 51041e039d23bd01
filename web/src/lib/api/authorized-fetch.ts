import { ApiError } from "./errors";
import type { TokenStore } from "./token-store";

/**
 * A fetch for openapi-fetch that sends `Authorization: Bearer <token>` and,
 * when the API answers 401, retries once with a freshly fetched token (the
 * cached one may have been revoked or have expired in transit).
 *
 * Getting that fresh token fails with an "unauthenticated" ApiError when the
 * session has ended. When the API refuses even the fresh token, the session is
 * fine and the services disagree about tokens: that is a "token-refused"
 * ApiError, so the page does not send the person round a sign-in loop.
 */
export function createAuthorizedFetch(
  tokens: TokenStore,
  baseFetch: (request: Request) => Promise<Response> = (request) => globalThis.fetch(request),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const retry = request.clone();
    const response = await sendWithToken(baseFetch, request, await tokens.get());
    if (response.status !== 401) return response;
    const retried = await sendWithToken(baseFetch, retry, await tokens.refresh());
    if (retried.status === 401) throw ApiError.tokenRefused();
    return retried;
  };
}

function sendWithToken(
  baseFetch: (request: Request) => Promise<Response>,
  request: Request,
  token: string,
): Promise<Response> {
  request.headers.set("Authorization", `Bearer ${token}`);
  return baseFetch(request);
}
