/**
 * Which origins may invoke this app's server actions (the sessions page's "sign
 * out other devices", say): the configured `BETTER_AUTH_URL`'s origin and the
 * extra `BETTER_AUTH_TRUSTED_ORIGINS`, read from the configuration only.
 *
 * Next.js's own check compares the `Origin` with the request's `X-Forwarded-Host`
 * (or `Host`), so behind a proxy that passes a client's `X-Forwarded-Host`
 * through, any site could name itself there and pass. src/proxy.ts refuses an
 * action whose `Origin` is not one of these before Next.js sees it, so no request
 * header can widen the list. (Browsers send `Origin` on every POST; an action
 * without one is refused too.)
 */
export function allowedActionOrigins(env: Readonly<Record<string, string | undefined>>): Set<string> {
  const configured = [env.BETTER_AUTH_URL?.trim() || "http://localhost:3000", ...(env.BETTER_AUTH_TRUSTED_ORIGINS ?? "").split(",")];
  const origins = new Set<string>();
  for (const entry of configured) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    try {
      origins.add(new URL(trimmed).origin);
    } catch {
      // auth-config.ts refuses a malformed BETTER_AUTH_URL at start; nothing to allow here.
    }
  }
  return origins;
}

/**
 * Whether a page request may be a server action: a POST (Next.js marks script
 * calls with `Next-Action`, but a form posted before the scripts load carries
 * the action's id in its body). No page of this app takes any other POST.
 */
export function isServerAction(method: string): boolean {
  return method === "POST";
}

/** Whether a server action request comes from an allowed origin. */
export function actionOriginAllowed(headers: Headers, env: Readonly<Record<string, string | undefined>>): boolean {
  const origin = headers.get("origin");
  return origin !== null && allowedActionOrigins(env).has(origin);
}
