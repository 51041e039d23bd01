"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import {
  betterAuthDeviceRequests,
  deviceProblem,
  formatUserCode,
  normalizeUserCode,
  readLookup,
  type DeviceRequests,
} from "./device-requests";

type Step =
  | { kind: "enter" }
  | { kind: "review"; code: string; clientName: string }
  | { kind: "approved"; clientName: string }
  | { kind: "denied" };

export interface DeviceApprovalProps {
  /** From `?user_code=`, as the terminal's link carries it. */
  initialCode?: string;
  /** Who is signed in, so the person sees which account the device will get. */
  accountName: string;
  requests?: DeviceRequests;
}

/**
 * The /device page's form: the person enters (or confirms) the code their
 * terminal shows, sees which program asks, and approves or denies it. Nothing
 * is approved without a click on Approve.
 */
export function DeviceApproval({ initialCode = "", accountName, requests = betterAuthDeviceRequests }: DeviceApprovalProps) {
  const [code, setCode] = useState(formatUserCode(initialCode));
  const [step, setStep] = useState<Step>({ kind: "enter" });
  const [problem, setProblem] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const problemId = useId();
  const codeInput = useRef<HTMLInputElement>(null);

  async function onContinue(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const typed = normalizeUserCode(code);
    if (!typed) {
      setProblem("Enter the code your terminal shows.");
      codeInput.current?.focus();
      return;
    }
    setPending(true);
    setProblem(undefined);
    const lookup = readLookup(await requests.lookup(typed));
    setPending(false);
    if (lookup.kind === "problem") {
      setProblem(lookup.message);
      codeInput.current?.focus();
      return;
    }
    setStep({ kind: "review", code: typed, clientName: lookup.clientName });
  }

  async function decide(review: Extract<Step, { kind: "review" }>, approve: boolean) {
    if (pending) return;
    setPending(true);
    setProblem(undefined);
    const result = approve ? await requests.approve(review.code) : await requests.deny(review.code);
    setPending(false);
    if (!result.ok) {
      setProblem(deviceProblem(result));
      return;
    }
    setStep(approve ? { kind: "approved", clientName: review.clientName } : { kind: "denied" });
  }

  const problemNote = problem && (
    <p id={problemId} role="alert"
      className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      {problem}
    </p>
  );

  if (step.kind === "approved") {
    return (
      <section aria-labelledby="device-result" className="space-y-2">
        <h2 id="device-result" className="text-xl font-semibold">Device approved</h2>
        <p role="status">{step.clientName} is now signed in as {accountName}. You can close this tab and go back to your terminal.</p>
      </section>
    );
  }
  if (step.kind === "denied") {
    return (
      <section aria-labelledby="device-result" className="space-y-2">
        <h2 id="device-result" className="text-xl font-semibold">Request denied</h2>
        <p role="status">Nothing was signed in. If you did not start this, you can ignore it.</p>
      </section>
    );
  }
  if (step.kind === "review") {
    return (
      <section aria-labelledby="device-review" className="space-y-4">
        <h2 id="device-review" className="text-xl font-semibold">Approve this sign-in?</h2>
        <p>
          <strong>{step.clientName}</strong> asks to sign in as <strong>{accountName}</strong> and to see and change your tasks.
        </p>
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          Code <span className="font-mono font-semibold">{formatUserCode(step.code)}</span>: approve only if your terminal shows
          the same code and you started the sign-in yourself.
        </p>
        {problemNote}
        <div className="flex gap-3">
          <button type="button" onClick={() => decide(step, true)} aria-disabled={pending || undefined}
            className="rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-60">
            Approve
          </button>
          <button type="button" onClick={() => decide(step, false)} aria-disabled={pending || undefined}
            className="rounded-md border border-zinc-400 px-4 py-2 font-medium hover:bg-zinc-100 aria-disabled:opacity-60 dark:hover:bg-zinc-800">
            Deny
          </button>
        </div>
      </section>
    );
  }
  return (
    <form noValidate onSubmit={onContinue} className="space-y-4" aria-describedby={problem ? problemId : undefined}>
      <div>
        <label htmlFor="user-code" className="block text-sm font-medium">
          Code shown in your terminal
        </label>
        <input id="user-code" ref={codeInput} name="user_code" value={code} onChange={(event) => setCode(event.target.value)}
          autoComplete="one-time-code" autoCapitalize="characters" spellCheck={false} placeholder="ABCD-EFGH"
          aria-invalid={problem ? true : undefined} aria-describedby={problem ? problemId : undefined}
          className="mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 font-mono text-lg tracking-widest text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100" />
      </div>
      {problemNote}
      <button type="submit" aria-disabled={pending || undefined}
        className="w-full rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-60">
        {pending ? "Checking…" : "Continue"}
      </button>
    </form>
  );
}
