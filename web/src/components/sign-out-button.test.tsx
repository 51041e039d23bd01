import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TokenStore, trackTokenStore } from "@/lib/api/token-store";
import { SignOutButton } from "./sign-out-button";

const router = vi.hoisted(() => ({ replace: vi.fn(), refresh: vi.fn() }));
const signOut = vi.hoisted(() => vi.fn());
// Better Auth's client loads on demand; `failing.load` makes that load fail (the network dropped).
const failing = vi.hoisted(() => ({ load: false }));
vi.mock("next/navigation", () => ({ useRouter: () => router }));
vi.mock("@/lib/auth-client", () => {
  if (failing.load) throw new TypeError("Failed to fetch dynamically imported module");
  return { authClient: { signOut } };
});

const EXP = Math.floor(Date.now() / 1000) + 900;

/** A token that stays valid for 15 minutes, numbered so tests can tell them apart. */
function tokenNumber(n: number): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256" })}.${encode({ exp: EXP, n })}.sig`;
}

let untrack: () => void;
let source: ReturnType<typeof vi.fn<() => Promise<string>>>;
let tokens: TokenStore;

beforeEach(() => {
  router.replace.mockReset();
  signOut.mockReset();
  let issued = 0;
  source = vi.fn(async () => tokenNumber(++issued));
  tokens = new TokenStore(source);
  untrack = trackTokenStore(tokens);
});
afterEach(() => untrack());

function renderButton() {
  const queryClient = new QueryClient();
  render(
    <QueryClientProvider client={queryClient}>
      <SignOutButton />
    </QueryClientProvider>,
  );
  return queryClient;
}

describe("SignOutButton", () => {
  // First: once the client has loaded, it stays loaded for the rest of this file.
  it("says so when Better Auth's client did not load, keeps the session, and loads it on the next try", async () => {
    failing.load = true;
    signOut.mockResolvedValue({ error: null });
    renderButton();
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Could not sign out: part of this page did not load.");
    expect(signOut).not.toHaveBeenCalled();
    expect(router.replace).not.toHaveBeenCalled();

    failing.load = false;
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/sign-in"));
    expect(signOut).toHaveBeenCalledOnce();
  });

  it("forgets the in-memory token, stops requests under way and drops cached tasks", async () => {
    signOut.mockResolvedValue({ error: null });
    const queryClient = renderButton();
    expect(await tokens.get()).toBe(tokenNumber(1));
    queryClient.setQueryData(["tasks", "u"], ["cached"]);
    let aborted = false;
    void queryClient.prefetchQuery({
      queryKey: ["tasks", "u", "slow"],
      queryFn: ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener("abort", () => ((aborted = true), reject(new Error("aborted"))))),
    });

    await userEvent.setup().click(screen.getByRole("button", { name: "Sign out" }));

    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/sign-in"));
    expect(aborted).toBe(true);
    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
    // The next request would have to fetch a token again (and be refused: the session is gone).
    expect(await tokens.get()).toBe(tokenNumber(2));
    expect(source).toHaveBeenCalledTimes(2);
  });

  it("keeps the token and says so when signing out fails", async () => {
    signOut.mockResolvedValue({ error: { message: "down" } });
    renderButton();
    expect(await tokens.get()).toBe(tokenNumber(1));

    await userEvent.setup().click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Could not sign out. Try again.");
    expect(await tokens.get()).toBe(tokenNumber(1));
    expect(router.replace).not.toHaveBeenCalled();
  });
});
