import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./auth";

/** The signed-in person's session for the current request, or null. */
export async function getCurrentSession() {
  // Reading the request headers first marks the page as dynamic, so `next build`
  // never prerenders it and never opens the auth store.
  const requestHeaders = await headers();
  const auth = await getAuth();
  return auth.api.getSession({ headers: requestHeaders });
}
