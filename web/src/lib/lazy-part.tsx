"use client";

import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ComponentType, type ReactNode } from "react";
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
  /** Where the focus goes once the part is there after a retry (its Try again button is gone by then). */
  focusAfterRetry?: () => void;
}

/** Runs `onShown` once it is on screen: inside a Suspense boundary, when the part beside it is. */
function WhenShown({ onShown }: { onShown: () => void }) {
  useEffect(onShown, [onShown]);
  return null;
}

/**
 * A component loaded on demand (React's `lazy`) whose failed load (the network
 * dropped, or the app was updated and the old chunk is gone) shows `failed`
 * in its place instead of taking the page down to app/error.tsx. Errors other
 * than a failed load still go to the page's error boundary.
 *
 * React's lazy keeps a failed load for good, so a failure replaces the lazy
 * component that new instances start from: a part mounted later (details
 * opened again, another row's editor) or a retry loads afresh, while an
 * instance already showing the part keeps the component it has.
 */
export function lazyPart<Props extends object>(load: () => Promise<{ default: ComponentType<Props> }>) {
  let current = fresh();
  function fresh() {
    const part = lazy(() =>
      load().catch((error: unknown) => {
        if (current === part) current = fresh();
        throw error;
      }),
    );
    return part;
  }

  function fallback({ error, resetErrorBoundary }: FallbackProps, failed: LazyPartProps["failed"]) {
    if (!isLoadFailure(error)) throw error;
    return failed(resetErrorBoundary);
  }

  return function LazyPart({ loading, failed, focusAfterRetry, ...props }: Props & LazyPartProps) {
    const [Loaded, setLoaded] = useState(() => current);
    const retried = useRef(false);
    const onShown = useCallback(() => {
      if (!retried.current) return;
      retried.current = false;
      focusAfterRetry?.();
    }, [focusAfterRetry]);
    return (
      <ErrorBoundary
        fallbackRender={(fallbackProps) => fallback(fallbackProps, failed)}
        onReset={() => {
          retried.current = true;
          setLoaded(current);
        }}>
        <Suspense fallback={loading}>
          <Loaded {...(props as unknown as Props)} />
          <WhenShown onShown={onShown} />
        </Suspense>
      </ErrorBoundary>
    );
  };
}
