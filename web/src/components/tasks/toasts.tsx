"use client";

import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";

// The toasts (sonner) load with the first one shown: a visit that deletes
// nothing does not fetch them.

type Sonner = typeof import("sonner");

const loadSonner = () => import("sonner");

/**
 * Sonner's Toaster; `onReady` runs once it listens (its own effects run before
 * its parent's). React's lazy: it renders only in the browser, after a click.
 */
const LazyToaster = lazy(() =>
  loadSonner().then(({ Toaster }) => {
    function ListeningToaster({ onReady }: { onReady: () => void }) {
      useEffect(onReady, [onReady]);
      return <Toaster position="bottom-center" theme="system" />;
    }
    return { default: ListeningToaster };
  }),
);

export interface ToastAction {
  label: string;
  onClick: () => void;
}

export interface Toasts {
  show: (id: string, message: string, options: { duration: number; description?: string; action?: ToastAction }) => void;
  dismiss: (id: string) => void;
  /** The toaster element, to render once in the page. */
  toaster: React.ReactNode;
}

export function useToasts(): Toasts {
  const [wanted, setWanted] = useState(false);
  const sonner = useRef<Sonner | undefined>(undefined);
  const queue = useRef<((sonner: Sonner) => void)[]>([]);

  // Calls made before the toaster listens wait for it, in order.
  const run = useCallback((job: (sonner: Sonner) => void) => {
    if (sonner.current) return job(sonner.current);
    queue.current.push(job);
    setWanted(true);
  }, []);

  const onReady = useCallback(() => {
    void loadSonner().then((module) => {
      sonner.current = module;
      for (const job of queue.current.splice(0)) job(module);
    });
  }, []);

  const show = useCallback<Toasts["show"]>(
    (id, message, { duration, description, action }) => run(({ toast }) => void toast(message, { id, duration, description, action })),
    [run],
  );
  const dismiss = useCallback((id: string) => run(({ toast }) => void toast.dismiss(id)), [run]);

  return { show, dismiss, toaster: wanted ? (
      <Suspense fallback={null}>
        <LazyToaster onReady={onReady} />
      </Suspense>
    ) : null };
}
