/**
 * The security headers of every page. Shared by src/proxy.ts (the
 * Content-Security-Policy, which carries a fresh nonce per page) and
 * next.config.ts (the static ones, on every response including assets and
 * /api/auth). No `server-only` marker: next.config.ts loads this file too.
 */

/** On every response. */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  // Clickjacking: no page may be framed (CSP frame-ancestors says the same to newer browsers).
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Not "no-referrer": a same-origin POST then carries `Origin: null`, which
  // Better Auth's origin check rightly refuses.
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

/** JSON answers of /api/* load nothing and may not be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export interface PagePolicyOptions {
  /** Fresh per response, at least 128 bits of randomness (base64). */
  nonce: string;
  /** The task API's base URL as the browser reaches it (NEXT_PUBLIC_API_URL). */
  apiUrl: string;
  /** `next dev`: React needs eval for its debugging aids, and the dev server a websocket. */
  development: boolean;
  /** This page's own origin (`http://localhost:3000`), for the dev server's websocket. */
  selfOrigin?: string;
  /** Upgrade http: sub-resources when the app itself is served over https. */
  https: boolean;
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page CSP. Scripts run only with this response's nonce, which Next.js
 * puts on its own script tags when it finds it in the request's CSP header;
 * 'strict-dynamic' lets those scripts load the app's chunks. Styles allow
 * 'unsafe-inline': React and Next.js set style attributes that a nonce cannot
 * cover, and a style cannot run code. `connect-src` names the task API's
 * origin, read per request like the page reads it.
 */
export function pageContentSecurityPolicy(options: PagePolicyOptions): string {
  const apiOrigin = originOf(options.apiUrl);
  const connect = ["'self'"];
  if (apiOrigin) connect.push(apiOrigin);
  if (options.development && options.selfOrigin) {
    const self = originOf(options.selfOrigin);
    if (self) connect.push(self.replace(/^http/, "ws"));
  }
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect.join(" ")}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (options.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}
