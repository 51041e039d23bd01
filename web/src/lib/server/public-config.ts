import "server-only";

export const DEFAULT_API_URL = "http://127.0.0.1:8000";

/**
 * The task API's base URL for the browser. Read from the environment object at
 * request time (not `process.env.NEXT_PUBLIC_…` literally, which the bundler
 * would freeze at build time), so one build can point at any API.
 */
export function readApiUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return (env.NEXT_PUBLIC_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, "");
}
