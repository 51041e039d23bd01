export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface AuthErrorLike {
  code?: string | undefined;
  message?: string | undefined;
  status?: number | undefined;
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
  }
  if (error.status === 429) return "Too many attempts. Please wait a minute and try again.";
  if (!error.status || error.status >= 500) {
    return "Cannot reach the sign-in service right now. Try again in a moment.";
  }
  return error.message || "Something went wrong. Please try again.";
}

/** Checks done before sending, so the person hears about them at once. */
export function validateCredentials(
  mode: "sign-in" | "sign-up",
  fields: { name?: string; email: string; password: string },
): string | undefined {
  if (mode === "sign-up" && !fields.name?.trim()) return "Enter your name.";
  if (!fields.email.trim()) return "Enter your email address.";
  if (!fields.password) return "Enter your password.";
  if (mode === "sign-up" && fields.password.length < MIN_PASSWORD_LENGTH) {
    return `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (mode === "sign-up" && fields.password.length > MAX_PASSWORD_LENGTH) {
    return `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`;
  }
  return undefined;
}
