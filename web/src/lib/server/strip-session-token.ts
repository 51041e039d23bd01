import "server-only";

const HEADER = "set-auth-token";

/**
 * Better Auth's bearer plugin (there for `todo login`, see auth.ts) copies the
 * session token into a `set-auth-token` header on every response that sets the
 * session cookie: browser sign-in and sign-up too. A page's scripts can read
 * that header but not the httpOnly cookie, so it would hand the session to any
 * script running on the page. The command line takes its session from the body
 * of `/device/token` instead, so the header never leaves this app.
 */
export function withoutSessionTokenHeader(response: Response): Response {
  if (!response.headers.has(HEADER)) return response;
  const headers = new Headers(response.headers);
  headers.delete(HEADER);
  const exposed = (headers.get("access-control-expose-headers") ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name && name.toLowerCase() !== HEADER);
  if (exposed.length) headers.set("access-control-expose-headers", exposed.join(", "));
  else headers.delete("access-control-expose-headers");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
