// A yes/no setting remembered per browser (localStorage), read the same way by
// every component that shows it, and following other tabs that change it.

import { useCallback, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
// What this tab set, also when the browser refuses to store it (private
// windows, storage full): the choice then lasts as long as the tab.
const memory = new Map<string, boolean>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key) memory.delete(event.key);
    listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function readFlag(key: string, fallback: boolean): boolean {
  const held = memory.get(key);
  if (held !== undefined) return held;
  try {
    const stored = globalThis.localStorage?.getItem(key);
    return stored === null || stored === undefined ? fallback : stored === "1";
  } catch {
    return fallback;
  }
}

export function writeFlag(key: string, value: boolean): void {
  try {
    globalThis.localStorage.setItem(key, value ? "1" : "0");
    memory.delete(key);
  } catch {
    memory.set(key, value);
  }
  for (const listener of listeners) listener();
}

/**
 * `[value, set]` of a flag kept under `key`. The server renders `fallback`
 * (it cannot know the browser's choice); the browser's value follows at hydration.
 */
export function useStoredFlag(key: string, fallback: boolean): [boolean, (value: boolean) => void] {
  const value = useSyncExternalStore(
    subscribe,
    () => readFlag(key, fallback),
    () => fallback,
  );
  const set = useCallback((next: boolean) => writeFlag(key, next), [key]);
  return [value, set];
}
