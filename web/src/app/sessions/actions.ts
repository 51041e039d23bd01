"use server";

import { headers } from "next/headers";
import { getAuth } from "@/lib/server/auth";

export type SessionActionResult = { ok: true } | { ok: false; message: string; signedOut?: boolean };

const SIGNED_OUT: SessionActionResult = { ok: false, message: "You are signed out.", signedOut: true };

/**
 * Ends one of the signed-in person's other sessions. The browser names it by
 * its id only: session tokens (bearer secrets) never leave the server. Better
 * Auth's own revoke-session does the deleting, so its hooks send the event.
 */
export async function signOutDevice(sessionId: string): Promise<SessionActionResult> {
  const requestHeaders = await headers();
  const auth = await getAuth();
  const current = await auth.api.getSession({ headers: requestHeaders });
  if (!current) return SIGNED_OUT;
  if (sessionId === current.session.id) {
    return { ok: false, message: "To sign out this device, use Sign out at the top of the page." };
  }
  try {
    const sessions = await auth.api.listSessions({ headers: requestHeaders });
    // Only a session of this person can be found here; one already gone is done.
    const target = sessions.find((session) => session.id === sessionId);
    if (target) await auth.api.revokeSession({ headers: requestHeaders, body: { token: target.token } });
    return { ok: true };
  } catch {
    return { ok: false, message: "Could not sign out that device. Try again." };
  }
}

/** Ends every session of the signed-in person but this one (Better Auth's revoke-other-sessions). */
export async function signOutOtherDevices(): Promise<SessionActionResult> {
  const requestHeaders = await headers();
  const auth = await getAuth();
  if (!(await auth.api.getSession({ headers: requestHeaders }))) return SIGNED_OUT;
  try {
    await auth.api.revokeOtherSessions({ headers: requestHeaders });
    return { ok: true };
  } catch {
    return { ok: false, message: "Could not sign out the other devices. Try again." };
  }
}
