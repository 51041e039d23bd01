import type { Metadata } from "next";
import Link from "next/link";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Email address · Todo" };

/** Better Auth's verify-email endpoint sends a followed link here, with `?error=…` when it did not work. */
export default async function EmailVerifiedPage({ searchParams }: { searchParams: Promise<{ error?: string | string[]; change?: string | string[] }> }) {
  const { error, change } = await searchParams;
  const session = await getCurrentSession();
  const failed = typeof error === "string";
  const heading = failed ? "This link did not work" : change ? "Your address is changed" : "Your address is confirmed";
  const words = failed
    ? error === "TOKEN_EXPIRED"
      ? "The link has expired (links work for an hour). Ask for a new one from the Account page, or from the sign-in page."
      : "The link is not valid, or was made for another account. Ask for a new one from the Account page, or from the sign-in page."
    : change
      ? `Your account now uses ${session?.user.email ?? "the new address"}.`
      : "Thank you: Todo can now send you mail.";
  return (
    <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
      <p className="mb-1 text-3xl font-bold tracking-tight text-blue-700 dark:text-blue-400">Todo</p>
      <h1 className="mb-4 text-2xl font-semibold">{heading}</h1>
      <p role={failed ? "alert" : "status"} className="mb-6">{words}</p>
      <p className="text-sm">
        {session ? (
          <Link href="/tasks" className="font-medium text-blue-700 underline dark:text-blue-400">Go to your tasks</Link>
        ) : (
          <Link href="/sign-in" className="font-medium text-blue-700 underline dark:text-blue-400">Sign in</Link>
        )}
      </p>
    </main>
  );
}
