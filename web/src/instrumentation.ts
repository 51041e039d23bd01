/**
 * Runs once when a Next.js server starts (`next start`, `next dev`): installs
 * the socket-address stamp that rate limits rely on, and creates
 * Better Auth and migrates its tables then, so the first request does not wait
 * for it. `next build` also loads this file while it collects page data; the
 * store is never opened then. If this fails (the store is down, say), the
 * server still starts and `getAuth()` tries again on the first request that
 * needs it, which answers with the error page if the store is still down.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // Before any route runs: records each request's socket address, which
    // Next.js does not hand to route handlers (see lib/server/peer-address.ts).
    const { installPeerAddressStamp } = await import("./lib/server/peer-address");
    installPeerAddressStamp();
  }
  if (!shouldPrepareAuth(process.env)) return;
  const { getAuth } = await import("./lib/server/auth");
  try {
    await getAuth();
  } catch (error) {
    console.error("Could not prepare the account store at start; will try again on the first request.", error);
  }
}

/** Only in the Node.js runtime (Better Auth, PGlite) and never during `next build`. */
export function shouldPrepareAuth(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.NEXT_RUNTIME === "nodejs" && env.NEXT_PHASE !== "phase-production-build";
}
