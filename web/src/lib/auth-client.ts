import { createAuthClient } from "better-auth/react";

/**
 * Better Auth's browser client; it talks to this app's own /api/auth routes.
 * The tasks page loads it only to sign out (see SignOutButton); its API token
 * comes from `lib/api/api-token.ts`.
 */
export const authClient = createAuthClient();
