"use client";

import { useId, useState, type FormEvent } from "react";
import { failureMessage, Field, inputClass, Outcome, SubmitButton } from "@/components/account/account-forms";
import { accountMailActions, type AccountMailActions } from "@/lib/account-mail-client";
import { ResendLink } from "./resend-link";

/**
 * The Account page's address: whether it is confirmed (with "send the link again"),
 * and a change of address, which needs the password and takes effect only when
 * the link sent to the new address is followed. The answer is the same whether the
 * new address is free or taken (the mail to it says which).
 */
export function EmailSettings({ email, verified, actions = accountMailActions }: { email: string; verified: boolean; actions?: Pick<AccountMailActions, "changeEmail" | "sendVerificationEmail"> }) {
  const [newEmail, setNewEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; error: boolean } | undefined>();
  const outcomeId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const wanted = newEmail.trim();
    if (!wanted || !password) {
      setOutcome({ text: !wanted ? "Enter the new address." : "Enter your password.", error: true });
      return;
    }
    if (wanted.toLowerCase() === email.toLowerCase()) {
      setOutcome({ text: "That is already your address.", error: true });
      return;
    }
    setPending(true);
    setOutcome(undefined);
    const { error } = await actions.changeEmail(wanted, password);
    setPending(false);
    if (error) {
      setOutcome({ text: error.code === "VALIDATION_ERROR" || error.code === "INVALID_EMAIL" ? "Enter a valid email address." : failureMessage(error), error: true });
      return;
    }
    setPassword("");
    setOutcome({ text: `A link is on its way to ${wanted}. Your address changes once you follow it (within an hour).`, error: false });
  }

  return (
    <section aria-labelledby="email-heading" className="mb-10">
      <h2 id="email-heading" className="mb-1 text-lg font-semibold">Email address</h2>
      <p className="mb-3 text-sm">
        <span className="font-medium">{email}</span>{" "}
        {verified ? (
          <span className="text-green-800 dark:text-green-300">· confirmed</span>
        ) : (
          <span className="text-amber-800 dark:text-amber-300">· not confirmed yet</span>
        )}
      </p>
      {!verified && (
        <div className="mb-4">
          <p className="mb-2 text-sm text-zinc-700 dark:text-zinc-300">Open the link we sent to this address to confirm it.</p>
          <ResendLink email={email} actions={actions} />
        </div>
      )}
      <form noValidate onSubmit={onSubmit} aria-describedby={outcome ? outcomeId : undefined} className="space-y-4">
        <Field id="new-email" label="New email address">
          <input id="new-email" name="new-email" type="email" autoComplete="email" required value={newEmail}
            onChange={(event) => setNewEmail(event.target.value)} className={inputClass} />
        </Field>
        <Field id="email-password" label="Your password">
          <input id="email-password" name="email-password" type="password" autoComplete="current-password" required value={password}
            onChange={(event) => setPassword(event.target.value)} className={inputClass} />
        </Field>
        <Outcome id={outcomeId} outcome={outcome} />
        <SubmitButton pending={pending} label="Change address" pendingLabel="Sending the link…" />
      </form>
    </section>
  );
}
