import type { TokenStore } from "./token-store";

/**
 * A fetch for openapi-fetch that sends `Authorization: Bearer <token>` and,
 * when the API answers 401, retries once with a freshly fetched token (the
 * cached one may have been revoked or have expired in transit).
 */
export function createAuthorizedFetch(
  tokens: TokenStore,
  baseFetch: (request: Request) => Promise<Response> = (request) => globalThis.fetch(request),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const retry = request.clone();
    const response = await sendWithToken(baseFetch, request, await tokens.get());
    if (response.status !== 401) return response;
    return sendWithToken(baseFetch, retry, await tokens.refresh());
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
