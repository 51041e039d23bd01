import { authClient } from "@/lib/auth-client";

/** A refusal as Better Auth's client reports it; `status: 0` when this app could not be reached. */
export type Failure = { code?: string; message?: string; status?: number } | null;

/** Where a followed confirmation link lands (src/app/email-verified). */
export const VERIFIED_PAGE = "/email-verified";

async function attempt(run: () => Promise<{ error: Failure }>): Promise<{ error: Failure }> {
  try {
    return { error: (await run()).error };
  } catch {
    return { error: { status: 0 } };
  }
}

/**
 * The browser's side of the account mails, through Better Auth's client. The
 * links themselves are made on the server from BETTER_AUTH_URL; what is sent here
 * only says who asks.
 */
export const accountMailActions = {
  requestPasswordReset: (email: string) => attempt(() => authClient.requestPasswordReset({ email: email.trim() })),
  resetPassword: (token: string, newPassword: string) => attempt(() => authClient.resetPassword({ token, newPassword })),
  sendVerificationEmail: (email: string) =>
    attempt(() => authClient.sendVerificationEmail({ email: email.trim(), callbackURL: VERIFIED_PAGE })),
  // `password` is this app's own addition to /change-email (src/lib/server/mail/account-mail.ts).
  changeEmail: (newEmail: string, password: string) =>
    attempt(() =>
      authClient.changeEmail({ newEmail: newEmail.trim(), callbackURL: `${VERIFIED_PAGE}?change=1`, password } as {
        newEmail: string;
        callbackURL: string;
      }),
    ),
};

export type AccountMailActions = typeof accountMailActions;
