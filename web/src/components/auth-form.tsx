"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";
import { authClient } from "@/lib/auth-client";
import { ResendLink } from "@/components/email/resend-link";
import {
  authErrorField,
  authErrorMessage,
  credentialsProblem,
  MAX_NAME_LENGTH,
  MIN_PASSWORD_LENGTH,
  EMAIL_NOT_VERIFIED,
  type CredentialField,
} from "@/lib/auth-messages";

type Mode = "sign-in" | "sign-up";

export interface AuthFormProps {
  mode: Mode;
  /** Where to go once signed in (a path on this app, checked by the page); /tasks by default. */
  next?: string;
  /** REQUIRE_EMAIL_VERIFICATION: a new account confirms its address before it signs in. */
  confirmFirst?: boolean;
  /** Injected by tests; the Better Auth client otherwise. */
  submit?: (mode: Mode, fields: { name: string; email: string; password: string }) => Promise<{
    error: { code?: string; message?: string; status?: number; retryAfter?: unknown } | null;
  }>;
}

async function submitWithBetterAuth(mode: Mode, fields: { name: string; email: string; password: string }) {
  try {
    const result =
      mode === "sign-up"
        ? await authClient.signUp.email({ name: fields.name.trim(), email: fields.email.trim(), password: fields.password })
        : await authClient.signIn.email({ email: fields.email.trim(), password: fields.password });
    return { error: result.error };
  } catch {
    return { error: { status: 0 } };
  }
}

/**
 * The first Intl date formatter a page makes costs 30–45 ms on a slow machine
 * (the browser loads its locale data), and the tasks page makes one before it
 * can ask for the first tasks. Making one while the person types takes that
 * off the wait between the sign-in click and their tasks.
 */
function warmUpDateFormatting() {
  const warm = () => Intl.DateTimeFormat().resolvedOptions();
  if (typeof requestIdleCallback === "function") {
    const handle = requestIdleCallback(warm, { timeout: 2000 });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(warm, 200);
  return () => clearTimeout(timer);
}

export function AuthForm({ mode, next = "/tasks", confirmFirst = false, submit = submitWithBetterAuth }: AuthFormProps) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [invalidField, setInvalidField] = useState<CredentialField | undefined>();
  const [pending, setPending] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  /** The address waiting for confirmation: after a sign-up that must confirm first, or a sign-in refused for it. */
  const [unconfirmed, setUnconfirmed] = useState<string | undefined>();
  const [signedUp, setSignedUp] = useState(false);
  const errorId = useId();
  const passwordHintId = useId();
  const isSignUp = mode === "sign-up";
  useEffect(warmUpDateFormatting, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const problem = credentialsProblem(mode, { name, email, password });
    if (problem) {
      setError(problem.message);
      setInvalidField(problem.field);
      document.getElementById(problem.field)?.focus();
      return;
    }
    setPending(true);
    setError(undefined);
    setInvalidField(undefined);
    setUnconfirmed(undefined);
    const result = await submit(mode, { name, email, password });
    if (result.error?.code === EMAIL_NOT_VERIFIED) setUnconfirmed(email.trim());
    if (result.error) {
      // One message at a time, next to the form; the field it is about is marked.
      setError(authErrorMessage(result.error));
      setInvalidField(authErrorField(result.error));
      setPending(false);
      return;
    }
    if (isSignUp && confirmFirst) {
      // No session yet: the account signs in from the link in the mail.
      setUnconfirmed(email.trim());
      setSignedUp(true);
      setPending(false);
      return;
    }
    // No router.refresh() after it: every page here renders per request, so
    // the next page comes with the new session anyway, and a refresh rendered
    // it a second time, in the way of its first requests (~35 ms of the
    // sign-in → tasks time on this machine). What the refresh also did, drop
    // the router's back/forward cache, is not needed: the only signed-out page
    // that history could hold is the other auth form, and the link to it below
    // replaces this entry rather than adding one.
    router.replace(next);
  }

  const fieldState = (field: CredentialField) =>
    invalidField === field ? { "aria-invalid": true as const, "aria-describedby": errorId } : {};

  const inputClass =
    "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";

  if (signedUp && unconfirmed) {
    return (
      <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
        <p className="mb-1 text-3xl font-bold tracking-tight text-blue-700 dark:text-blue-400">Todo</p>
        <h1 className="mb-4 text-2xl font-semibold">Check your inbox</h1>
        <p role="status" className="mb-4">
          We sent a link to {unconfirmed}. Open it to confirm your address and sign in; it works for an hour.
        </p>
        <ResendLink email={unconfirmed} />
      </main>
    );
  }

  return (
    <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
      <p className="mb-1 text-3xl font-bold tracking-tight text-blue-700 dark:text-blue-400">Todo</p>
      <p className="mb-6 text-zinc-700 dark:text-zinc-300">Your tasks, in one list.</p>
      <h1 className="mb-6 text-2xl font-semibold">{isSignUp ? "Create your account" : "Sign in to Todo"}</h1>
      <form noValidate onSubmit={onSubmit} aria-describedby={error ? errorId : undefined} className="space-y-4">
        {isSignUp && (
          <div>
            <label htmlFor="name" className="block text-sm font-medium">
              Name
            </label>
            <input id="name" name="name" autoComplete="name" required maxLength={MAX_NAME_LENGTH} value={name}
              {...fieldState("name")}
              onChange={(event) => setName(event.target.value)} className={inputClass} />
          </div>
        )}
        <div>
          <label htmlFor="email" className="block text-sm font-medium">
            Email
          </label>
          <input id="email" name="email" type="email" autoComplete="email" required value={email}
            {...fieldState("email")}
            onChange={(event) => setEmail(event.target.value)} className={inputClass} />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium">
            Password
          </label>
          <div className="mt-1 flex gap-2">
            <input id="password" name="password" type={showPassword ? "text" : "password"} required
              autoComplete={isSignUp ? "new-password" : "current-password"}
              minLength={isSignUp ? MIN_PASSWORD_LENGTH : undefined}
              aria-invalid={invalidField === "password" || undefined}
              aria-describedby={[isSignUp ? passwordHintId : "", invalidField === "password" ? errorId : ""].filter(Boolean).join(" ") || undefined}
              value={password} onChange={(event) => setPassword(event.target.value)} className={`${inputClass} mt-0 min-w-0 flex-1`} />
            <button type="button" onClick={() => setShowPassword((shown) => !shown)} aria-controls="password"
              aria-label={showPassword ? "Hide password" : "Show password"}
              className="shrink-0 rounded-md border border-zinc-400 px-3 text-sm font-medium hover:bg-zinc-100 dark:hover:bg-zinc-800">
              {showPassword ? "Hide" : "Show"}
            </button>
          </div>
          {isSignUp && (
            <p id={passwordHintId} className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
              At least {MIN_PASSWORD_LENGTH} characters.
            </p>
          )}
        </div>
        {error && (
          <p id={errorId} role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            {error}
          </p>
        )}
        {unconfirmed && <ResendLink email={unconfirmed} />}
        {/* aria-disabled, not disabled: a disabled button drops the keyboard focus to the page. */}
        <button type="submit" aria-disabled={pending || undefined}
          className="w-full rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-60">
          {pending ? (isSignUp ? "Creating account…" : "Signing in…") : isSignUp ? "Create account" : "Sign in"}
        </button>
      </form>
      {!isSignUp && (
        <p className="mt-4 text-sm">
          <Link href="/forgot-password" className="font-medium text-blue-700 underline dark:text-blue-400">Forgot password?</Link>
        </p>
      )}
      <p className="mt-6 text-sm">
        {isSignUp ? "Already have an account? " : "New here? "}
        <Link href={`${isSignUp ? "/sign-in" : "/sign-up"}${next === "/tasks" ? "" : `?next=${encodeURIComponent(next)}`}`} replace className="font-medium text-blue-700 underline dark:text-blue-400">
          {isSignUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </main>
  );
}
