"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { signOutDevice, signOutOtherDevices, type SessionActionResult } from "@/app/sessions/actions";

export interface SessionView {
  id: string;
  browser: string;
  system: string;
  ipAddress: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

export interface SessionListProps {
  sessions: SessionView[];
  /** Injected by tests; the server actions otherwise. */
  actions?: { signOutDevice: (id: string) => Promise<SessionActionResult>; signOutOtherDevices: () => Promise<SessionActionResult> };
}

function When({ iso, id }: { iso: string; id?: string }) {
  // In the reader's own time zone; the server's rendering may differ, hence the warning's suppression.
  // To the second: two sessions of one browser begun in the same minute would read alike.
  return (
    <time id={id} dateTime={iso} suppressHydrationWarning>
      {new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" })}
    </time>
  );
}

/**
 * "Chrome 156 on Linux", numbered ("#2") when another session of the same
 * browser and system signed in in the same second: no two rows, nor their
 * Sign out buttons, read the same.
 */
function deviceNames(sessions: SessionView[]): Map<string, string> {
  const key = (session: SessionView) => `${session.browser} on ${session.system}|${session.createdAt.slice(0, 19)}`;
  const total = new Map<string, number>();
  for (const session of sessions) total.set(key(session), (total.get(key(session)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return new Map(
    sessions.map((session) => {
      const name = `${session.browser} on ${session.system}`;
      if (total.get(key(session))! < 2) return [session.id, name];
      const nth = (seen.get(key(session)) ?? 0) + 1;
      seen.set(key(session), nth);
      return [session.id, `${name} #${nth}`];
    }),
  );
}

const buttonClass =
  "rounded-md border border-zinc-400 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 aria-disabled:opacity-60 dark:hover:bg-zinc-800";

export function SessionList({ sessions, actions = { signOutDevice, signOutOtherDevices } }: SessionListProps) {
  const router = useRouter();
  const [pending, setPending] = useState<string | undefined>();
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const others = sessions.filter((session) => !session.current);
  const names = deviceNames(sessions);
  // The button pressed may vanish with its row: the outcome takes the focus instead.
  const statusRef = useRef<HTMLParagraphElement>(null);

  async function run(key: string, action: () => Promise<SessionActionResult>, done: string) {
    if (pending) return;
    setPending(key);
    setMessage(undefined);
    let result: SessionActionResult;
    try {
      result = await action();
    } catch {
      result = { ok: false, message: "Cannot reach this app. Try again." };
    }
    setPending(undefined);
    if (!result.ok && result.signedOut) {
      router.replace("/sign-in");
      return;
    }
    setMessage(result.ok ? { text: done, error: false } : { text: result.message, error: true });
    router.refresh();
    requestAnimationFrame(() => statusRef.current?.focus());
  }

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="sr-only">Signed-in devices</h2>
      <p role="status" ref={statusRef} tabIndex={-1} className={message ? `mb-4 rounded-md border px-3 py-2 text-sm ${message.error
        ? "border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        : "border-green-300 bg-green-50 text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100"}` : "sr-only"}>
        {message?.text}
      </p>
      <ul aria-label="Sessions" className="divide-y divide-zinc-200 rounded-md border border-zinc-300 dark:divide-zinc-800 dark:border-zinc-700">
        {sessions.map((session) => {
          const name = names.get(session.id)!;
          // Names made of the row's own words (aria-labelledby): the times are
          // written in the reader's zone, which only the browser knows.
          const id = (part: string) => `session-${session.id}-${part}`;
          return (
            <li key={session.id} aria-labelledby={`${id("label")} ${id("signed-in")}`}
              className="flex flex-wrap items-start justify-between gap-3 px-4 py-3">
              <div className="min-w-0">
                <p className="font-medium">
                  {name}
                  {session.current && (
                    <span className="ml-2 rounded-full bg-blue-100 px-2 py-0.5 text-xs font-semibold text-blue-900 dark:bg-blue-900 dark:text-blue-100">
                      This device
                    </span>
                  )}
                </p>
                <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-sm text-zinc-700 dark:text-zinc-300">
                  <dt>IP address</dt>
                  <dd className="break-all">{session.ipAddress ?? "unknown"}</dd>
                  <dt>Signed in</dt>
                  <dd><When iso={session.createdAt} id={id("signed-in")} /></dd>
                  <dt>Last active</dt>
                  <dd><When iso={session.lastUsedAt} /></dd>
                </dl>
                <span id={id("label")} hidden>{`${name}${session.current ? " (this device)" : ""}, signed in`}</span>
              </div>
              {!session.current && (
                <button type="button" id={id("sign-out")} className={buttonClass} aria-disabled={pending !== undefined || undefined}
                  aria-labelledby={`${id("sign-out")} ${id("label")} ${id("signed-in")}`}
                  onClick={() => run(session.id, () => actions.signOutDevice(session.id), `${name} is signed out.`)}>
                  {pending === session.id ? "Signing out…" : "Sign out"}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <button type="button" className={buttonClass} aria-disabled={pending !== undefined || undefined}
          onClick={() => run("others", actions.signOutOtherDevices, "Every other device is signed out.")}>
          {pending === "others" ? "Signing out the other devices…" : "Sign out all other devices"}
        </button>
        {others.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No other device is signed in.</p>}
      </div>
    </section>
  );
}
