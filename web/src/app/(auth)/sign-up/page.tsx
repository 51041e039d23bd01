import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { getCurrentSession } from "@/lib/server/session";

export const metadata: Metadata = { title: "Sign up · Todo" };

export default async function SignUpPage() {
  if (await getCurrentSession()) redirect("/tasks");
  return <AuthForm mode="sign-up" />;
}
