import { jwtClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";
import { ApiError } from "./api/errors";

/** Better Auth's browser client; it talks to this app's own /api/auth routes. */
export const authClient = createAuthClient({ plugins: [jwtClient()] });

/** Fetches a fresh API token (a JWT) for the current session from /api/auth/token. */
export async function fetchApiToken(): Promise<string> {
  let result: Awaited<ReturnType<typeof authClient.token>>;
  try {
    result = await authClient.token();
  } catch {
    throw new ApiError("unreachable", "Cannot reach this app's sign-in service to authorise the request. Try again.");
  }
  if (result.data?.token) return result.data.token;
  if (result.error?.status === 401) throw ApiError.unauthenticated();
  throw new ApiError("unavailable", "Could not get a sign-in token for the task service. Try again in a moment.");
}
