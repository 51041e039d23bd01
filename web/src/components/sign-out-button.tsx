"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { clearAllTokens } from "@/lib/api/token-store";
import { onDemand, PART_NOT_LOADED } from "@/lib/on-demand";

// Better Auth's browser client is ~12 kB that a page needs only to sign out:
// it loads when the pointer or focus reaches the button, or on the click.
const authClientModule = onDemand(() => import("@/lib/auth-client"));

export function SignOutButton() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);

  async function signOut() {
    setPending(true);
    setError(undefined);
    const fail = (message: string) => {
      setError(message);
      setPending(false);
    };
    let authClient: typeof import("@/lib/auth-client").authClient;
    try {
      ({ authClient } = await authClientModule.load());
    } catch {
      return fail(`Could not sign out: ${PART_NOT_LOADED}`);
    }
    try {
      const { error: failure } = await authClient.signOut();
      if (failure) throw new Error(failure.message);
    } catch {
      return fail("Could not sign out. Try again.");
    }
    // Nothing of the session may outlive it: stop the requests under way, forget
    // the API token (the API refuses it once the web server's revocation event
    // lands, see SECURITY.md), drop cached tasks.
    await queryClient.cancelQueries();
    clearAllTokens();
    queryClient.clear();
    router.replace("/sign-in");
    router.refresh();
  }

  return (
    <div className="flex items-center gap-2">
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <button type="button" onClick={signOut} disabled={pending}
        onPointerEnter={authClientModule.prefetch}
        onFocus={authClientModule.prefetch}
        className="rounded-md border border-zinc-400 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:hover:bg-zinc-800">
        {pending ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
