"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError } from "@/lib/api/errors";

/**
 * Retries a failed list load once, and only when the task service could not be
 * reached or was unavailable: a 401 has already had its retry with a fresh
 * token (authorized-fetch), and 403/404/422/429 would only fail again.
 */
export function shouldRetryQuery(failureCount: number, error: unknown): boolean {
  return failureCount < 1 && error instanceof ApiError && (error.kind === "unreachable" || error.kind === "unavailable");
}

/** Whether `error` means this app's own session is over (signed out elsewhere, revoked, expired). */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiError && error.kind === "unauthenticated";
}

/** The sign-in page, coming back here afterwards. */
function goToSignIn(): void {
  const here = window.location.pathname + window.location.search;
  // A document load on purpose (not the router): the query cache, which outlives
  // client-side navigations, must not carry the ended session's tasks to whoever signs in next.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign(`/sign-in?next=${encodeURIComponent(here)}`);
}

/**
 * The app's query client. Whatever a person does after their session ended
 * (signed out on another device, or from the Sessions page) takes them to
 * sign-in at once: a load, a tick, an edit, a new task alike.
 */
export function makeQueryClient(onSessionEnded: () => void = goToSignIn): QueryClient {
  // Once: a tick fails and the list reloads at the same moment, and a second
  // navigation would abort the first.
  let ended = false;
  const onError = (error: unknown) => {
    if (ended || !isSessionEnded(error)) return;
    ended = true;
    onSessionEnded();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: shouldRetryQuery,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => makeQueryClient());
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
