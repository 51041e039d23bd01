import "server-only";
import { normalizeAddress, resolveClientAddress, type TrustedProxies } from "./client-ip";
import { PEER_ADDRESS_HEADER, peerAddressOf } from "./peer-address";

/**
 * The one header Better Auth reads the client's address from
 * (`advanced.ipAddress.ipAddressHeaders`). Only this app writes it: whatever a
 * client sends under this name is dropped before Better Auth sees the request.
 */
export const CLIENT_ADDRESS_HEADER = "x-todo-client-address";

/**
 * The request as Better Auth should see it: its client address worked out from
 * the socket address (see peer-address.ts) and `TRUSTED_PROXIES` (see
 * client-ip.ts) into {@link CLIENT_ADDRESS_HEADER}. When the socket address is
 * unknown the header is left out, and Better Auth puts every such request in
 * one shared bucket: a made-up header never buys a fresh one.
 */
export function withClientAddress(request: Request, trusted: TrustedProxies): Request {
  const headers = new Headers(request.headers);
  headers.delete(PEER_ADDRESS_HEADER);
  headers.delete(CLIENT_ADDRESS_HEADER);
  const peer = peerAddressOf(request.headers);
  const client = resolveClientAddress(peer, request.headers, trusted);
  if (client) headers.set(CLIENT_ADDRESS_HEADER, client);
  if (client && client === peer && !trusted.has(client)) warnOnceAboutIgnoredForwarding(client, request.headers);
  return new Request(request, { headers });
}

/** Whether the warning below was logged in this process (tests reset it). */
export const forwardingWarning = { logged: false };

/**
 * An operator who puts this app behind a reverse proxy without listing it in
 * TRUSTED_PROXIES gets every client in the proxy's one bucket; the first
 * ignored forwarding header says so in the log (once per process: a client
 * can send these headers too).
 */
function warnOnceAboutIgnoredForwarding(peer: string, headers: Headers): void {
  if (forwardingWarning.logged) return;
  // Next.js itself fills in X-Forwarded-For with the socket address when a client sent none.
  const forwardedFor = headers.get("x-forwarded-for");
  const claimsOther =
    (forwardedFor !== null && normalizeAddress(forwardedFor) !== peer) || headers.get("x-real-ip") !== null;
  if (!claimsOther) return;
  forwardingWarning.logged = true;
  console.warn(
    `Ignoring X-Forwarded-For/X-Real-IP from ${peer}, which is not in TRUSTED_PROXIES: the socket address is the client. ` +
      "If this app runs behind a reverse proxy, list the proxy's address in TRUSTED_PROXIES, " +
      "or every person behind it shares one sign-in rate limit. (Logged once.)",
  );
}

/**
 * Better Auth's own 429 says when to come back only in `X-Retry-After`; the
 * standard `Retry-After` (RFC 9110 §10.2.3) is added beside it.
 */
export function withRetryAfter(response: Response): Response {
  if (response.status !== 429 || response.headers.has("retry-after")) return response;
  const seconds = response.headers.get("x-retry-after");
  if (!seconds || !/^\d+$/.test(seconds)) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", seconds);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Better Auth's handler behind the two steps above. */
export function authRequestHandler(
  auth: { handler: (request: Request) => Promise<Response> },
  trusted: TrustedProxies,
): (request: Request) => Promise<Response> {
  return async (request) => withRetryAfter(await auth.handler(withClientAddress(request, trusted)));
}
