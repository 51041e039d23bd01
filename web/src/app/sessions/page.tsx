import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AccountHeader } from "@/components/account/account-header";
import { SessionList, type SessionView } from "@/components/account/session-list";
import { getAuth } from "@/lib/server/auth";
import { describeAddress, describeUserAgent } from "@/lib/server/device-label";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Sessions · Todo" };

export default async function SessionsPage() {
  const current = await getCurrentSession();
  if (!current) redirect("/sign-in");
  const auth = await getAuth();
  const sessions = await auth.api.listSessions({ headers: await headers() });
  // Only what the page shows reaches the browser: no session tokens.
  const views: SessionView[] = sessions
    .map((session) => ({
      id: session.id,
      ...describeUserAgent(session.userAgent),
      ipAddress: describeAddress(session.ipAddress),
      createdAt: new Date(session.createdAt).toISOString(),
      lastUsedAt: new Date(session.updatedAt).toISOString(),
      current: session.id === current.session.id,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt));
  return (
    <div className="mx-auto w-full max-w-2xl flex-1 px-4 py-6">
      <AccountHeader title="Sessions" who={current.user.name || current.user.email} />
      <main>
        <p className="mb-4 text-sm text-zinc-700 dark:text-zinc-300">
          Every browser signed in to your account. Signing one out ends its access to your tasks at once.
        </p>
        <SessionList sessions={views} />
      </main>
    </div>
  );
}
