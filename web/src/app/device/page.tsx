import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DeviceApproval } from "@/components/device/device-approval";
import { signInThenBackTo } from "@/lib/next-path";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Sign in a device · Todo" };

/**
 * Where `todo login` sends people (RFC 8628's verification URI): a signed-in
 * person approves or denies the code their terminal shows; a signed-out one
 * signs in first and comes back here with the code kept.
 */
export default async function DevicePage({ searchParams }: { searchParams: Promise<{ user_code?: string | string[] }> }) {
  const raw = (await searchParams).user_code;
  const userCode = typeof raw === "string" ? raw.slice(0, 64) : "";
  const session = await getCurrentSession();
  if (!session) redirect(signInThenBackTo(userCode ? `/device?user_code=${encodeURIComponent(userCode)}` : "/device"));
  return (
    <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
      <p className="mb-1 text-3xl font-bold tracking-tight text-blue-700 dark:text-blue-400">Todo</p>
      <h1 className="mb-6 text-2xl font-semibold">Sign in a device</h1>
      <DeviceApproval initialCode={userCode} accountName={session.user.name || session.user.email} />
    </main>
  );
}
