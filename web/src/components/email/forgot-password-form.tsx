"use client";

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { Field, inputClass, Outcome, SubmitButton } from "@/components/account/account-forms";
import { accountMailActions, type AccountMailActions } from "@/lib/account-mail-client";

/** Asks for a reset link; the answer reads the same whether the address has an account or not. */
export function ForgotPasswordForm({ actions = accountMailActions }: { actions?: Pick<AccountMailActions, "requestPasswordReset"> }) {
  const [email, setEmail] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean } | undefined>();
  const outcomeId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    if (!email.trim()) {
      setOutcome({ text: "Enter your email address.", error: true });
      return;
    }
    setPending(true);
    setOutcome(undefined);
    const { error } = await actions.requestPasswordReset(email);
    setPending(false);
    if (error) {
      setOutcome({
        text: error.status === 400 ? "Enter a valid email address." : error.status === 429 ? "Too many attempts. Wait a moment and try again." : "Cannot reach this app right now. Try again in a moment.",
        error: true,
      });
      return;
    }
    setOutcome({ text: `If an account uses ${email.trim()}, a link to choose a new password is on its way. It works once, within an hour.`, error: false });
  }

  return (
    <>
      <form noValidate onSubmit={onSubmit} aria-describedby={outcome ? outcomeId : undefined} className="space-y-4">
        <Field id="email" label="Email">
          <input id="email" name="email" type="email" autoComplete="email" required value={email}
            onChange={(event) => setEmail(event.target.value)} className={inputClass} />
        </Field>
        <Outcome id={outcomeId} outcome={outcome} />
        <SubmitButton pending={pending} label="Send me a link" pendingLabel="Sending…" wide />
      </form>
      <p className="mt-6 text-sm">
        <Link href="/sign-in" replace className="font-medium text-blue-700 underline dark:text-blue-400">Back to sign in</Link>
      </p>
    </>
  );
}
