"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Field, inputClass, Outcome, SubmitButton } from "@/components/account/account-forms";
import { accountMailActions, type AccountMailActions } from "@/lib/account-mail-client";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth-messages";

/**
 * Sets a new password with the token from the mail. Better Auth then ends every
 * session of the account (each one's revocation reaches the API) and this app
 * signs the person in here, so the tasks page follows.
 */
export function ResetPasswordForm({ token, actions = accountMailActions }: { token: string; actions?: Pick<AccountMailActions, "resetPassword"> }) {
  const router = useRouter();
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean; expired?: boolean } | undefined>();
  const outcomeId = useId();
  const hintId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      setOutcome({ text: `Use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`, error: true });
      return;
    }
    setPending(true);
    setOutcome(undefined);
    const { error } = await actions.resetPassword(token, password);
    if (!error) {
      router.replace("/tasks");
      return;
    }
    setPending(false);
    if (error.code === "INVALID_TOKEN") {
      setOutcome({ text: "This link has expired or was already used.", error: true, expired: true });
    } else if (error.status === 0 || (error.status ?? 500) >= 500) {
      setOutcome({ text: "Cannot reach this app right now. Try again in a moment.", error: true });
    } else {
      setOutcome({ text: error.message || "The password could not be set. Try again.", error: true });
    }
  }

  if (!token) {
    return (
      <p role="alert" className="text-sm">
        This page needs the link from the mail. <Link href="/forgot-password" className="font-medium text-blue-700 underline dark:text-blue-400">Ask for a new link</Link>.
      </p>
    );
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-describedby={outcome ? outcomeId : undefined} className="space-y-4">
      <Field id="new-password" label="New password" hint={`At least ${MIN_PASSWORD_LENGTH} characters. Every device signed in to your account will be signed out.`} hintId={hintId}>
        <input id="new-password" name="new-password" type="password" autoComplete="new-password" required
          minLength={MIN_PASSWORD_LENGTH} maxLength={MAX_PASSWORD_LENGTH} aria-describedby={hintId}
          value={password} onChange={(event) => setPassword(event.target.value)} className={inputClass} />
      </Field>
      <Outcome id={outcomeId} outcome={outcome} />
      {outcome?.expired && (
        <p className="text-sm">
          <Link href="/forgot-password" className="font-medium text-blue-700 underline dark:text-blue-400">Ask for a new link</Link>
        </p>
      )}
      <SubmitButton pending={pending} label="Set the new password" pendingLabel="Setting the password…" wide />
    </form>
  );
}
