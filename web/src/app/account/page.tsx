import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AccountHeader } from "@/components/account/account-header";
import { ChangePasswordForm, DeleteAccountForm } from "@/components/account/account-forms";
import { EmailSettings } from "@/components/email/email-settings";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Account · Todo" };

export default async function AccountPage() {
  const current = await getCurrentSession();
  if (!current) redirect("/sign-in");
  return (
    <div className="mx-auto w-full max-w-2xl flex-1 px-4 py-6">
      <AccountHeader title="Account" who={current.user.name || current.user.email} />
      <main>
        <EmailSettings email={current.user.email} verified={current.user.emailVerified} />
        <ChangePasswordForm />
        <DeleteAccountForm />
      </main>
    </div>
  );
}
