"use client";

import { useState } from "react";
import { accountMailActions, type AccountMailActions } from "@/lib/account-mail-client";

/**
 * "Send the link again": the answer is the same whether or not the address has an
 * account waiting for confirmation (at most 3 mails an hour reach it either way).
 */
export function ResendLink({ email, actions = accountMailActions }: { email: string; actions?: Pick<AccountMailActions, "sendVerificationEmail"> }) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "failed">("idle");

  async function resend() {
    if (state === "sending") return;
    setState("sending");
    const { error } = await actions.sendVerificationEmail(email);
    setState(error ? "failed" : "sent");
  }

  return (
    <div className="space-y-2">
      <button type="button" onClick={resend} aria-disabled={state === "sending" || undefined}
        className="rounded-md border border-zinc-400 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 aria-disabled:opacity-60 dark:hover:bg-zinc-800">
        {state === "sending" ? "Sending the link…" : "Send the link again"}
      </button>
      <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
        {state === "sent" && `If ${email} is waiting for confirmation, a new link is on its way. It works for an hour.`}
        {state === "failed" && "The link could not be sent just now. Try again in a moment."}
      </p>
    </div>
  );
}
