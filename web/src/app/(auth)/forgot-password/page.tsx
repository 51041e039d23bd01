import type { Metadata } from "next";
import { ForgotPasswordForm } from "@/components/email/forgot-password-form";

export const metadata: Metadata = { title: "Forgot password · Todo" };

export default function ForgotPasswordPage() {
  return (
    <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
      <p className="mb-1 text-3xl font-bold tracking-tight text-blue-700 dark:text-blue-400">Todo</p>
      <h1 className="mb-2 text-2xl font-semibold">Forgot your password?</h1>
      <p className="mb-6 text-sm text-zinc-700 dark:text-zinc-300">Give the address of your account and we will mail you a link to choose a new one.</p>
      <ForgotPasswordForm />
    </main>
  );
}
