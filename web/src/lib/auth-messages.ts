export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;
/**
 * Longest name, in Unicode characters. The name travels in every API token;
 * Better Auth alone accepts megabytes, and a token past the API's size limit
 * would lock its owner out.
 */
export const MAX_NAME_LENGTH = 100;

/** Error codes of this app's own Better Auth checks (src/lib/server/). */
export const NAME_TOO_LONG = "NAME_TOO_LONG";
export const TOO_MANY_FAILED_SIGN_INS = "TOO_MANY_FAILED_SIGN_INS";
export const PASSWORD_REQUIRED = "PASSWORD_REQUIRED";

export const NAME_TOO_LONG_MESSAGE = `The name is too long: use at most ${MAX_NAME_LENGTH} characters.`;
export const PASSWORD_REQUIRED_MESSAGE = "Enter your password to delete the account.";
export const WRONG_PASSWORD_MESSAGE = "That is not your current password.";
/** Better Auth's code for a sign-in refused until the address is confirmed (REQUIRE_EMAIL_VERIFICATION). */
export const EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED";
export const EMAIL_NOT_VERIFIED_MESSAGE =
  "Confirm your email address first: open the link we sent you. No mail? Send it again below.";

/** Characters as a person counts them (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

export interface AuthErrorLike {
  code?: string | undefined;
  message?: string | undefined;
  status?: number | undefined;
  /** Seconds until another attempt is allowed, sent with TOO_MANY_FAILED_SIGN_INS. */
  retryAfter?: unknown;
}

/** "14 minutes", "1 minute", "30 seconds": a wait in the largest unit that fits, rounded up. */
export function describeWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return whole === 1 ? "1 second" : `${whole} seconds`;
  const minutes = Math.ceil(whole / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** A sentence for a failed sign-up or sign-in, from Better Auth's error code. */
export function authErrorMessage(error: AuthErrorLike): string {
  switch (error.code) {
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return "An account with this email already exists. Sign in instead, or use another email.";
    case "INVALID_EMAIL_OR_PASSWORD":
      return "Wrong email or password.";
    case "PASSWORD_TOO_SHORT":
      return `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
    case "PASSWORD_TOO_LONG":
      return `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`;
    case "INVALID_EMAIL":
      return "Enter a valid email address.";
    case NAME_TOO_LONG:
      return NAME_TOO_LONG_MESSAGE;
    case EMAIL_NOT_VERIFIED:
      return EMAIL_NOT_VERIFIED_MESSAGE;
    case TOO_MANY_FAILED_SIGN_INS: {
      const wait =
        typeof error.retryAfter === "number" && Number.isFinite(error.retryAfter) && error.retryAfter > 0
          ? `in ${describeWait(error.retryAfter)}`
          : "later";
      return `Too many wrong passwords for this account, so signing in to it is paused for its safety. Try again ${wait}.`;
    }
  }
  if (error.status === 429) return "Too many attempts. Please wait a minute and try again.";
  if (!error.status || error.status >= 500) {
    return "Cannot reach the sign-in service right now. Try again in a moment.";
  }
  return error.message || "Something went wrong. Please try again.";
}

export type CredentialField = "name" | "email" | "password";

/** The field a refusal is about, to mark it invalid (none for a wrong email-or-password pair). */
export function authErrorField(error: AuthErrorLike): CredentialField | undefined {
  switch (error.code) {
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
    case "INVALID_EMAIL":
      return "email";
    case "PASSWORD_TOO_SHORT":
    case "PASSWORD_TOO_LONG":
      return "password";
    case NAME_TOO_LONG:
      return "name";
  }
  return undefined;
}

/** Checks done before sending, so the person hears about them at once, at the field concerned. */
export function credentialsProblem(
  mode: "sign-in" | "sign-up",
  fields: { name?: string; email: string; password: string },
): { field: CredentialField; message: string } | undefined {
  if (mode === "sign-up" && !fields.name?.trim()) return { field: "name", message: "Enter your name." };
  if (mode === "sign-up" && characterCount(fields.name?.trim() ?? "") > MAX_NAME_LENGTH) return { field: "name", message: NAME_TOO_LONG_MESSAGE };
  if (!fields.email.trim()) return { field: "email", message: "Enter your email address." };
  if (!fields.password) return { field: "password", message: "Enter your password." };
  if (mode === "sign-up" && fields.password.length < MIN_PASSWORD_LENGTH) {
    return { field: "password", message: `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  if (mode === "sign-up" && fields.password.length > MAX_PASSWORD_LENGTH) {
    return { field: "password", message: `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.` };
  }
  return undefined;
}

export function validateCredentials(
  mode: "sign-in" | "sign-up",
  fields: { name?: string; email: string; password: string },
): string | undefined {
  return credentialsProblem(mode, fields)?.message;
}
