import { headers } from "next/headers";
import { getAuth } from "./auth";

/** The signed-in person's session for the current request, or null. */
export async function getCurrentSession() {
  const auth = await getAuth();
  return auth.api.getSession({ headers: await headers() });
}
