import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Next.js gives route handlers a Web `Request` without the socket, and fills
 * `X-Forwarded-For` with the socket address only when the client sent none, so
 * the one address a client cannot make up is lost by the time a route runs.
 *
 * Node publishes every incoming HTTP request on the `http.server.request.start`
 * diagnostics channel, synchronously, before the server's `request` listener
 * (Next.js) sees it. A subscriber installed at server start
 * (src/instrumentation.ts) writes the socket's remote address into this
 * header, replacing whatever a client put there, together with a random token
 * made when the process started. A route trusts the header only when it
 * carries that token, so a request that came in before the subscriber existed
 * (or a server that never installed it) counts as "peer unknown", never as
 * whatever the client claimed.
 */
export const PEER_ADDRESS_HEADER = "x-todo-peer-address";

const CHANNEL = "http.server.request.start";
// On globalThis because Next.js bundles instrumentation and each route apart:
// module state is not shared between them, the process is.
const STATE_KEY = Symbol.for("todo.peerAddressStamp");

interface StampState {
  token: string;
}

function currentState(): StampState | undefined {
  return (globalThis as { [STATE_KEY]?: StampState })[STATE_KEY];
}

/** Writes `address` (or "unknown") into the headers of a request that has just arrived. */
export function stampPeerAddress(headers: IncomingHttpHeaders, address: string | undefined, token: string): void {
  headers[PEER_ADDRESS_HEADER] = `${token} ${address ?? ""}`.trim();
}

/** Installs the subscriber once per process; later calls do nothing. */
export function installPeerAddressStamp(): void {
  if (currentState()) return;
  const state: StampState = { token: randomBytes(18).toString("base64url") };
  (globalThis as { [STATE_KEY]?: StampState })[STATE_KEY] = state;
  diagnosticsChannel.subscribe(CHANNEL, (message) => {
    const { request, socket } = message as {
      request?: { headers?: IncomingHttpHeaders };
      socket?: { remoteAddress?: string };
    };
    if (request?.headers) stampPeerAddress(request.headers, socket?.remoteAddress, state.token);
  });
}

/** The socket address stamped on this request, or `undefined` when it carries no valid stamp. */
export function peerAddressOf(headers: { get(name: string): string | null }): string | undefined {
  const state = currentState();
  const value = headers.get(PEER_ADDRESS_HEADER);
  if (!state || !value) return undefined;
  const space = value.indexOf(" ");
  const token = Buffer.from(space === -1 ? value : value.slice(0, space));
  const expected = Buffer.from(state.token);
  if (token.length !== expected.length || !timingSafeEqual(token, expected)) return undefined;
  return space === -1 ? undefined : value.slice(space + 1);
}

/** For tests: the token this process stamps with, after installing the subscriber. */
export function peerStampToken(): string {
  installPeerAddressStamp();
  return currentState()!.token;
}
