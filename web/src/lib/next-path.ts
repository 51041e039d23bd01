/**
 * Where to go after signing in, from a `?next=` parameter: only a path on this
 * app (`/device?user_code=…`), never another site (`//evil.example`,
 * `https://…`, `/\evil.example`), so the sign-in page cannot be used to send
 * someone elsewhere. Anything else gives the default.
 */
export function safeNextPath(value: unknown, fallback = "/tasks"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return fallback;
  }
  const base = "http://this.app";
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}`;
}

/** The sign-in page's address that comes back to `path` afterwards. */
export function signInThenBackTo(path: string): string {
  return `/sign-in?next=${encodeURIComponent(path)}`;
}
