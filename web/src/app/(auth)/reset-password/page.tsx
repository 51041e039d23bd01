import type { Metadata } from "next";
import { ResetPasswordForm } from "@/components/email/reset-password-form";

export const metadata: Metadata = { title: "Choose a new password · Todo" };

/** Where the reset mail's link leads (`?token=…`); the token is checked when the new password is sent. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw.slice(0, 200) : "";
  return (
    <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
      <p className="mb-1 text-3xl font-bold tracking-tight text-blue-700 dark:text-blue-400">Todo</p>
      <h1 className="mb-6 text-2xl font-semibold">Choose a new password</h1>
      <ResetPasswordForm token={token} />
    </main>
  );
}
