import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { safeNextPath } from "@/lib/next-path";
import { getAuthConfig } from "@/lib/server/auth";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Sign up · Todo" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  // `?next=` brings a person back where signing in interrupted them (the /device page).
  const next = safeNextPath((await searchParams).next);
  if (await getCurrentSession()) redirect(next);
  return <AuthForm mode="sign-up" next={next} confirmFirst={getAuthConfig().requireEmailVerification} />;
}
