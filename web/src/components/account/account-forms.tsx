"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { clearAllTokens } from "@/lib/api/token-store";
import { authClient } from "@/lib/auth-client";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth-messages";

type Failure = { code?: string; message?: string; status?: number } | null;

export interface AccountActions {
  changePassword: (fields: { currentPassword: string; newPassword: string }) => Promise<{ error: Failure }>;
  deleteAccount: (password: string) => Promise<{ error: Failure }>;
}

const betterAuthActions: AccountActions = {
  async changePassword({ currentPassword, newPassword }) {
    try {
      // Better Auth ends every other session (its hooks tell the API) and gives this browser a new one.
      return { error: (await authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: true })).error };
    } catch {
      return { error: { status: 0 } };
    }
  },
  async deleteAccount(password) {
    try {
      return { error: (await authClient.deleteUser({ password })).error };
    } catch {
      return { error: { status: 0 } };
    }
  },
};

export function failureMessage(error: NonNullable<Failure>): string {
  switch (error.code) {
    case "INVALID_PASSWORD":
      return "That is not your current password.";
    case "PASSWORD_TOO_SHORT":
      return `The new password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
    case "PASSWORD_TOO_LONG":
      return `The new password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`;
  }
  if (error.status === 0) return "Cannot reach this app. Check your connection and try again.";
  if (error.status === 401) return "You are signed out. Sign in again to change your account.";
  if (error.status === 429) return "Too many attempts. Wait a moment and try again.";
  return "Something went wrong. Try again.";
}

export const inputClass =
  "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";

export function Field({ id, label, hint, hintId, children }: { id: string; label: string; hint?: string; hintId?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      {children}
      {hint && <p id={hintId} className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{hint}</p>}
    </div>
  );
}

/** A form's submit button; aria-disabled, not disabled, while pending: a disabled button drops the keyboard focus to the page. */
export function SubmitButton({ pending, label, pendingLabel, wide = false }: { pending: boolean; label: string; pendingLabel: string; wide?: boolean }) {
  return (
    <button type="submit" aria-disabled={pending || undefined}
      className={`${wide ? "w-full " : ""}rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-60`}>
      {pending ? pendingLabel : label}
    </button>
  );
}

export function Outcome({ id, outcome }: { id: string; outcome?: { text: string; error: boolean } }) {
  if (!outcome) return null;
  return (
    <p id={id} role={outcome.error ? "alert" : "status"}
      className={`rounded-md border px-3 py-2 text-sm ${outcome.error
        ? "border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        : "border-green-300 bg-green-50 text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100"}`}>
      {outcome.text}
    </p>
  );
}

export function ChangePasswordForm({ actions = betterAuthActions }: { actions?: AccountActions }) {
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean } | undefined>();
  const outcomeId = useId();
  const hintId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    if (!currentPassword || newPassword.length < MIN_PASSWORD_LENGTH) {
      setOutcome({ text: !currentPassword ? "Enter your current password." : `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`, error: true });
      return;
    }
    setPending(true);
    setOutcome(undefined);
    const { error } = await actions.changePassword({ currentPassword, newPassword });
    setPending(false);
    if (error) {
      setOutcome({ text: failureMessage(error), error: true });
      return;
    }
    // This browser's session was replaced too: its API tokens name the old one.
    clearAllTokens();
    setCurrentPassword("");
    setNewPassword("");
    setOutcome({ text: "Your password is changed. Every other device has been signed out.", error: false });
  }

  return (
    <section aria-labelledby="change-password-heading" className="mb-10">
      <h2 id="change-password-heading" className="mb-1 text-lg font-semibold">Change password</h2>
      <p className="mb-4 text-sm text-zinc-700 dark:text-zinc-300">Changing it signs out every other device.</p>
      <form noValidate onSubmit={onSubmit} aria-describedby={outcome ? outcomeId : undefined} className="space-y-4">
        <Field id="current-password" label="Current password">
          <input id="current-password" name="current-password" type="password" autoComplete="current-password" required
            value={currentPassword} onChange={(event) => setCurrentPassword(event.target.value)} className={inputClass} />
        </Field>
        <Field id="new-password" label="New password" hint={`At least ${MIN_PASSWORD_LENGTH} characters.`} hintId={hintId}>
          <input id="new-password" name="new-password" type="password" autoComplete="new-password" required
            minLength={MIN_PASSWORD_LENGTH} maxLength={MAX_PASSWORD_LENGTH} aria-describedby={hintId}
            value={newPassword} onChange={(event) => setNewPassword(event.target.value)} className={inputClass} />
        </Field>
        <Outcome id={outcomeId} outcome={outcome} />
        <SubmitButton pending={pending} label="Change password" pendingLabel="Changing password…" />
      </form>
    </section>
  );
}

export function DeleteAccountForm({ actions = betterAuthActions }: { actions?: AccountActions }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean } | undefined>();
  const outcomeId = useId();
  const warningId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    if (!password) {
      setOutcome({ text: "Type your password to confirm.", error: true });
      return;
    }
    setPending(true);
    setOutcome(undefined);
    const { error } = await actions.deleteAccount(password);
    if (error) {
      setPending(false);
      setOutcome({ text: failureMessage(error), error: true });
      return;
    }
    await queryClient.cancelQueries();
    clearAllTokens();
    queryClient.clear();
    router.replace("/sign-up");
    router.refresh();
  }

  return (
    <section aria-labelledby="delete-account-heading" className="rounded-md border border-red-300 p-4 dark:border-red-800">
      <h2 id="delete-account-heading" className="mb-2 text-lg font-semibold text-red-800 dark:text-red-300">Delete account</h2>
      <p id={warningId} className="mb-4 text-sm text-zinc-800 dark:text-zinc-200">
        This deletes your account <strong>and every one of your tasks</strong>, on every device, at once. It cannot be undone.
      </p>
      <form noValidate onSubmit={onSubmit} aria-describedby={[warningId, outcome ? outcomeId : ""].filter(Boolean).join(" ")} className="space-y-4">
        <Field id="delete-password" label="Type your password to confirm">
          <input id="delete-password" name="delete-password" type="password" autoComplete="current-password" required
            value={password} onChange={(event) => setPassword(event.target.value)} className={inputClass} />
        </Field>
        <Outcome id={outcomeId} outcome={outcome} />
        <button type="submit" aria-disabled={pending || undefined}
          className="rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800 aria-disabled:opacity-60">
          {pending ? "Deleting account…" : "Delete my account and all my tasks"}
        </button>
      </form>
    </section>
  );
}
