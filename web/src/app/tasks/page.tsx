import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/sign-out-button";
import { TasksApp } from "@/components/tasks/tasks-app";
import { readApiUrl } from "@/lib/server/public-config";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Tasks · Todo" };

export default async function TasksPage() {
  const session = await getCurrentSession();
  if (!session) redirect("/sign-in");
  const apiUrl = readApiUrl();
  return (
    <div className="mx-auto w-full max-w-2xl flex-1 px-4 py-6">
      <a href="#task-list-heading"
        className="sr-only rounded-md bg-blue-700 px-3 py-2 font-medium text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50">
        Skip to your tasks
      </a>
      <header className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Tasks</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Signed in as {session.user.name || session.user.email}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          {/* Plain links: the Sessions and Account pages are their own routes, and this page ships no script for them. */}
          <nav aria-label="Account">
            <ul className="flex gap-3 text-sm">
              <li><a href="/sessions" className="font-medium text-blue-700 underline dark:text-blue-400">Sessions</a></li>
              <li><a href="/account" className="font-medium text-blue-700 underline dark:text-blue-400">Account</a></li>
            </ul>
          </nav>
          <SignOutButton />
        </div>
      </header>
      {!session.user.emailVerified && (
        // Plain text and a link: older accounts are asked to confirm, never kept out.
        <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          Your email address is not confirmed yet:{" "}
          <a href="/account" className="font-medium underline">confirm it</a> from the Account page.
        </p>
      )}
      <main>
        <TasksApp key={session.user.id} userId={session.user.id} apiUrl={apiUrl} />
      </main>
    </div>
  );
}
