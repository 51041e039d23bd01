import { deviceClientName } from "@/lib/device-clients";

/** What Better Auth's device endpoints answered, reduced to what the page needs. */
export type DeviceAnswer = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; error?: string };

/** The three calls the /device page makes; injected by tests, `fetch` to /api/auth otherwise. */
export interface DeviceRequests {
  lookup(userCode: string): Promise<DeviceAnswer>;
  approve(userCode: string): Promise<DeviceAnswer>;
  deny(userCode: string): Promise<DeviceAnswer>;
}

async function answer(response: Promise<Response>): Promise<DeviceAnswer> {
  let result: Response;
  try {
    result = await response;
  } catch {
    return { ok: false, status: 0 };
  }
  const body: unknown = await result.json().catch(() => undefined);
  const record = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  if (result.ok) return { ok: true, body: record };
  return { ok: false, status: result.status, error: typeof record.error === "string" ? record.error : undefined };
}

/** The page's calls to Better Auth's deviceAuthorization endpoints, with the session cookie. */
export const betterAuthDeviceRequests: DeviceRequests = {
  lookup: (userCode) => answer(fetch(`/api/auth/device?user_code=${encodeURIComponent(userCode)}`, { cache: "no-store" })),
  approve: (userCode) => answer(post("/api/auth/device/approve", { userCode })),
  deny: (userCode) => answer(post("/api/auth/device/deny", { userCode })),
};

function post(path: string, body: object): Promise<Response> {
  return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** A code as people type it: spaces and dashes dropped, upper case (Better Auth compares it so too). */
export function normalizeUserCode(typed: string): string {
  return typed.replace(/[^a-zA-Z0-9]/g, "").toUpperCase();
}

/** The code as shown: two groups of four, as the terminal shows it. */
export function formatUserCode(code: string): string {
  const plain = normalizeUserCode(code);
  return plain.length === 8 ? `${plain.slice(0, 4)}-${plain.slice(4)}` : plain;
}

/** One plain sentence for a failed call. */
export function deviceProblem(failure: { status: number; error?: string }): string {
  if (failure.status === 0) return "Could not reach Todo. Check your connection and try again.";
  if (failure.status === 401) return "You were signed out. Reload the page to sign in again.";
  if (failure.status === 429) return "Too many tries for now. Wait a few minutes, then try again.";
  switch (failure.error) {
    case "expired_token":
      return "That code has expired. Run todo login again for a new one.";
    case "invalid_request":
      return "No sign-in request has that code. Check the code your terminal shows.";
    case "access_denied":
      return "That code belongs to a sign-in another account is approving.";
    default:
      return "Something went wrong. Try again.";
  }
}

/** What a lookup tells the page: a request to review, or why there is none. */
export type Lookup = { kind: "review"; clientName: string } | { kind: "problem"; message: string };

export function readLookup(answer: DeviceAnswer): Lookup {
  if (!answer.ok) return { kind: "problem", message: deviceProblem(answer) };
  const { status, client_id: clientId } = answer.body;
  if (status !== "pending") return { kind: "problem", message: "That code was already used. Run todo login again for a new one." };
  // Better Auth names the client only to the account the code is claimed for.
  if (typeof clientId !== "string") return { kind: "problem", message: deviceProblem({ status: 403, error: "access_denied" }) };
  return { kind: "review", clientName: deviceClientName(clientId) };
}
