"use client";

import { lazy, Suspense, useState, type ComponentType, type ReactNode } from "react";
import { ErrorBoundary, type FallbackProps } from "react-error-boundary";

/**
 * Whether `error` is a script that did not load: Turbopack's chunk loader names
 * its error ChunkLoadError; a browser's own `import()` says so in its message;
 * a loader that wraps such an error keeps it as the `cause`.
 */
export function isLoadFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "ChunkLoadError" ||
      /dynamically imported module|module script failed/i.test(error.message) ||
      isLoadFailure(error.cause))
  );
}

export interface LazyPartProps {
  /** Shown while the part loads. */
  loading: ReactNode;
  /** Shown in its place when its script did not load; `retry` loads it again. */
  failed: (retry: () => void) => ReactNode;
}

/**
 * A component loaded on demand (React's `lazy`) whose failed load (the network
 * dropped, or the app was updated and the old chunk is gone) shows `failed`
 * in its place instead of taking the page down to app/error.tsx. React's lazy
 * keeps a failed load for good, so a retry makes a new one. Errors other than a
 * failed load still go to the page's error boundary.
 */
export function lazyPart<Props extends object>(load: () => Promise<{ default: ComponentType<Props> }>) {
  let Loaded = lazy(load);

  function fallback({ error, resetErrorBoundary }: FallbackProps, failed: LazyPartProps["failed"]) {
    if (!isLoadFailure(error)) throw error;
    return failed(resetErrorBoundary);
  }

  return function LazyPart({ loading, failed, ...props }: Props & LazyPartProps) {
    // Bumped on each retry, so this renders again with the new lazy component.
    const [, setAttempt] = useState(0);
    return (
      <ErrorBoundary
        fallbackRender={(fallbackProps) => fallback(fallbackProps, failed)}
        onReset={() => {
          Loaded = lazy(load);
          setAttempt((attempt) => attempt + 1);
        }}>
        <Suspense fallback={loading}>
          <Loaded {...(props as unknown as Props)} />
        </Suspense>
      </ErrorBoundary>
    );
  };
}
