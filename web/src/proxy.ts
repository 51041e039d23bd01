import { NextResponse, type NextRequest } from "next/server";
import { readApiUrl } from "@/lib/server/public-config";
import { pageContentSecurityPolicy } from "@/lib/security-headers";
import { actionOriginAllowed, isServerAction } from "@/lib/action-origin";

/**
 * Gives every page a Content-Security-Policy with a fresh nonce. Next.js reads
 * the nonce from the request's CSP header while it renders and puts it on its
 * own script tags (which is why every page renders per request: see
 * app/layout.tsx). The static security headers come from next.config.ts.
 * Refuses server actions from origins other than the configured ones.
 */
export function proxy(request: NextRequest) {
  // Server actions only from the configured origins (lib/action-origin.ts).
  if (isServerAction(request.method) && !actionOriginAllowed(request.headers, process.env)) {
    return new NextResponse("This action is allowed from this app's own pages only.", {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = pageContentSecurityPolicy({
    nonce,
    apiUrl: readApiUrl(process.env),
    development: process.env.NODE_ENV === "development",
    selfOrigin: request.nextUrl.origin,
    https: (process.env.BETTER_AUTH_URL ?? "").trim().startsWith("https://"),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    // Pages only: not /api (next.config.ts gives it a CSP of its own), not
    // build assets, and not link prefetches (the page they fetch gets its own).
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
