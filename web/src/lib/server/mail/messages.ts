import "server-only";
import type { Mail } from "./mailer";

/**
 * The account mails. Every link is built here from BETTER_AUTH_URL (`baseURL`)
 * and a token, never from the URL Better Auth hands its callbacks nor from the
 * request: a link that followed a forged `Host` or `X-Forwarded-Host` would send
 * the token to someone else's server (reset-link poisoning).
 */

/** Where a followed verification link lands (the page says whether it worked). */
export const VERIFIED_PAGE = "/email-verified";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A mail of a few paragraphs and at most one button-like link, in text and in HTML. */
function compose(to: string, subject: string, paragraphs: string[], link?: { label: string; url: string }, after: string[] = []): Mail {
  const text = [
    ...paragraphs,
    ...(link ? [`${link.label}:\n${link.url}`] : []),
    ...after,
    "— Todo",
  ].join("\n\n");
  const p = (t: string) => `<p>${escapeHtml(t)}</p>`;
  const html = [
    "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.5\">",
    ...paragraphs.map(p),
    ...(link
      ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`, `<p style="font-size: 0.9em">Or open this address: ${escapeHtml(link.url)}</p>`]
      : []),
    ...after.map(p),
    p("— Todo"),
    "</body></html>",
  ].join("\n");
  return { to, subject, text, html };
}

export function resetPasswordMail(baseURL: string, to: string, token: string): Mail {
  const url = `${baseURL}/reset-password?token=${encodeURIComponent(token)}`;
  return compose(
    to,
    "Reset your Todo password",
    ["Someone (we hope you) asked to reset the password of the Todo account for this address."],
    { label: "Choose a new password", url },
    [
      "The link works once, within an hour. Setting a new password signs out every device signed in to the account.",
      "If you did not ask for this, ignore this mail: your password stays as it is.",
    ],
  );
}

function verifyLink(baseURL: string, token: string, callback: string): string {
  return `${baseURL}/api/auth/verify-email?token=${encodeURIComponent(token)}&callbackURL=${encodeURIComponent(callback)}`;
}

export function verificationMail(baseURL: string, to: string, token: string): Mail {
  return compose(
    to,
    "Confirm your email address for Todo",
    ["Confirm that this address is yours, so that Todo can send you mail (a forgotten password, reminders)."],
    { label: "Confirm my address", url: verifyLink(baseURL, token, VERIFIED_PAGE) },
    ["The link works for an hour. If you did not make a Todo account, ignore this mail."],
  );
}

export function changeAddressMail(baseURL: string, to: string, token: string): Mail {
  return compose(
    to,
    "Confirm your new email address for Todo",
    ["Someone (we hope you) asked to move a Todo account to this address. It changes once you confirm it here."],
    { label: "Use this address", url: verifyLink(baseURL, token, `${VERIFIED_PAGE}?change=1`) },
    ["The link works for an hour. If you did not ask for this, ignore this mail: nothing changes."],
  );
}

/** To the new address when it already belongs to an account: the person asking hears the same as for any other address. */
export function addressTakenMail(baseURL: string, to: string): Mail {
  return compose(
    to,
    "Your address was given for another Todo account",
    [
      "Someone asked to move a Todo account to this address, but this address already has a Todo account of its own, so nothing changed.",
      "If it was you, sign in to that account instead, or reset its password if you have forgotten it.",
    ],
    { label: "Sign in", url: `${baseURL}/sign-in` },
  );
}

/** To the old address once the change took effect. */
export function addressChangedMail(baseURL: string, to: string, newAddress: string): Mail {
  return compose(
    to,
    "Your Todo address was changed",
    [
      `The Todo account that used this address now uses ${newAddress}. Mail about it goes there from now on.`,
      "If you did not do this, someone else may be in your account: sign in with your password, change the address back, change the password and sign out every other device.",
    ],
    { label: "Sign in", url: `${baseURL}/sign-in` },
  );
}

/** To an address that already has an account when someone signs up with it (the sign-up answers as for a new one). */
export function signUpTakenMail(baseURL: string, to: string): Mail {
  return compose(
    to,
    "Someone tried to make a Todo account with your address",
    [
      "Someone (perhaps you) tried to make a new Todo account with this address, which already has one. Nothing changed.",
      "If it was you, sign in instead, or choose a new password if you have forgotten it.",
    ],
    { label: "Choose a new password", url: `${baseURL}/forgot-password` },
  );
}
