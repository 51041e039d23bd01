import "server-only";
import type { AuthContext, BetterAuthPlugin, User } from "better-auth";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { decodeJwt } from "jose";
import { sql, type Kysely } from "kysely";
import { EMAIL_NOT_VERIFIED, EMAIL_NOT_VERIFIED_MESSAGE, PASSWORD_REQUIRED, WRONG_PASSWORD_MESSAGE } from "@/lib/auth-messages";
import { MAIL_REQUEST_MODEL, MailLimit, type MailKind } from "./mail-limit";
import type { Mailer } from "./mailer";
import {
  addressChangedMail,
  addressTakenMail,
  changeAddressMail,
  resetPasswordMail,
  signUpTakenMail,
  verificationMail,
} from "./messages";

/** Better Auth's model (and table) holding when REQUIRE_EMAIL_VERIFICATION was switched on. */
export const VERIFICATION_POLICY_MODEL = "verificationPolicy";
const POLICY_ID = "require-email-verification";

/**
 * "Forgot password" answers no sooner than this, for an address with an account
 * or without: the one with an account does more work (a token, the mail handed
 * over), and the time must not tell them apart. Better Auth does the same for
 * its signed-out "send the link again".
 */
export const FORGOT_PASSWORD_ANSWER_MS = 500;

export interface AccountMailOptions {
  /** The accounts store, the same Kysely instance Better Auth uses. */
  db: Kysely<unknown>;
  mailer: Mailer;
  /** BETTER_AUTH_URL: every link in a mail starts with it, whatever the request said. */
  baseURL: string;
  requireEmailVerification: boolean;
  now?: () => number;
  log?: Pick<Console, "info" | "warn">;
}

type Hooked = Request | undefined;

/**
 * The account mails (SPEC "Email") on Better Auth's own flows: its callbacks
 * (`sendResetPassword`, `sendVerificationEmail`, `onPasswordReset`,
 * `onExistingUserSignUp`) hand mails to the {@link Mailer}, and {@link plugin}
 * adds what Better Auth has no option for: the per-address limit and an even
 * answer time for "forgot password", signing in after a reset, the password for a
 * change of address and the notices around it, and REQUIRE_EMAIL_VERIFICATION
 * for accounts made after it was switched on only.
 */
export class AccountMail {
  readonly limit: MailLimit;
  private readonly log: Pick<Console, "info" | "warn">;
  private readonly now: () => number;
  /** Per request: whether the address still had a reset mail left this hour (taken before Better Auth looks it up). */
  private readonly resetAllowed = new WeakMap<Request, boolean>();
  private readonly answerStarted = new WeakMap<Request, number>();
  /** Per request: whose password was just reset, to sign them in on this device. */
  private readonly passwordReset = new WeakMap<Request, User>();
  private requiredSince: Promise<Date | undefined> | undefined;

  constructor(private readonly options: AccountMailOptions) {
    this.now = options.now ?? Date.now;
    this.limit = new MailLimit(options.db, this.now);
    this.log = options.log ?? options.mailer.log;
  }

  /** Hands a mail to the mailer when the address has one of its kind left this hour. */
  private async sendLimited(kind: MailKind, to: string, build: () => ReturnType<typeof verificationMail>, allowed?: boolean) {
    if (!(allowed ?? (await this.limit.take(kind, to)))) {
      this.log.info(`mail: the hourly limit of ${kind} mails to ${to} is reached; none sent`);
      return;
    }
    this.options.mailer.send(build());
  }

  /** `emailAndPassword.sendResetPassword`: the link goes to this app's own /reset-password page. */
  readonly sendResetPassword = async ({ user, token }: { user: User; token: string }, request?: Request) => {
    const allowed = request ? this.resetAllowed.get(request) : undefined;
    await this.sendLimited("reset", user.email, () => resetPasswordMail(this.options.baseURL, user.email, token), allowed);
  };

  /** `emailAndPassword.onPasswordReset`: remembered for the answer, which signs the person in. */
  readonly onPasswordReset = async ({ user }: { user: User }, request?: Request) => {
    if (request) this.passwordReset.set(request, user);
  };

  /**
   * `emailVerification.sendVerificationEmail`: a new account's link, "send it
   * again", and the link of a change of address (sent to the new address; its
   * token says so).
   */
  readonly sendVerificationEmail = async ({ user, token }: { user: User; token: string }) => {
    const change = decodeJwt(token).requestType === "change-email-verification";
    const build = change ? changeAddressMail : verificationMail;
    await this.sendLimited("verify", user.email, () => build(this.options.baseURL, user.email, token));
  };

  /** `emailAndPassword.onExistingUserSignUp`: the sign-up answered as for a new address; the owner is told. */
  readonly onExistingUserSignUp = async ({ user }: { user: User }) => {
    await this.sendLimited("verify", user.email, () => signUpTakenMail(this.options.baseURL, user.email));
  };

  /**
   * Records when REQUIRE_EMAIL_VERIFICATION was switched on (kept while it stays
   * on; forgotten when it is switched off), so accounts made before are told apart.
   * Run after the migrations, at start.
   */
  async syncVerificationPolicy(): Promise<void> {
    const table = sql.table(VERIFICATION_POLICY_MODEL);
    if (this.options.requireEmailVerification) {
      await sql`INSERT INTO ${table} ("id", "requiredSince") VALUES (${POLICY_ID}, ${new Date(this.now())})
        ON CONFLICT ("id") DO NOTHING`.execute(this.options.db);
    } else {
      await sql`DELETE FROM ${table} WHERE "id" = ${POLICY_ID}`.execute(this.options.db);
    }
    this.requiredSince = undefined;
  }

  private async verificationRequiredSince(): Promise<Date | undefined> {
    this.requiredSince ??= sql<{ requiredSince: Date | string }>`
      SELECT "requiredSince" FROM ${sql.table(VERIFICATION_POLICY_MODEL)} WHERE "id" = ${POLICY_ID}`
      .execute(this.options.db)
      .then((result) => (result.rows[0] ? new Date(result.rows[0].requiredSince) : undefined))
      .catch((error: unknown) => {
        this.requiredSince = undefined;
        throw error;
      });
    return this.requiredSince;
  }

  /** Waits out the rest of the even answer time of a "forgot password" request. */
  private async evenAnswerTime(request: Hooked) {
    const started = request && this.answerStarted.get(request);
    if (started === undefined) return;
    const left = started + FORGOT_PASSWORD_ANSWER_MS - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }

  plugin() {
    const { options } = this;
    return {
      id: "account-mail",
      schema: {
        [MAIL_REQUEST_MODEL]: {
          fields: {
            addressKey: { type: "string", required: true, input: false, index: true },
            createdAt: { type: "date", required: true, input: false, index: true },
          },
        },
        [VERIFICATION_POLICY_MODEL]: {
          fields: { requiredSince: { type: "date", required: true, input: false } },
        },
      },
      init: (ctx: AuthContext) => {
        return {
          options: {
            databaseHooks: {
              session: {
                create: {
                  // Every way of getting a session goes through here (sign-in, device approval, …):
                  // an account made since the switch needs its address confirmed first.
                  before: async (session: { userId: string }) => {
                    if (!options.requireEmailVerification) return;
                    const user = await ctx.internalAdapter.findUserById(session.userId);
                    if (!user || user.emailVerified) return;
                    const since = await this.verificationRequiredSince();
                    if (!since || new Date(user.createdAt).getTime() < since.getTime()) return;
                    throw new APIError("FORBIDDEN", { code: EMAIL_NOT_VERIFIED, message: EMAIL_NOT_VERIFIED_MESSAGE });
                  },
                },
              },
              user: {
                update: {
                  // A change of address takes effect when the link sent to the new one is
                  // followed: that proves the new address, so it counts as confirmed.
                  before: async (data: Record<string, unknown>, endpoint: { path?: string } | null) => {
                    if (endpoint?.path !== "/verify-email" || typeof data.email !== "string") return;
                    return { data: { ...data, emailVerified: true } };
                  },
                  // …and the old address is told.
                  after: async (user: User, endpoint: { path?: string; query?: { token?: unknown } } | null) => {
                    if (endpoint?.path !== "/verify-email" || typeof endpoint.query?.token !== "string") return;
                    const claims = decodeJwt(endpoint.query.token);
                    if (claims.requestType !== "change-email-verification" || claims.updateTo !== user.email) return;
                    if (typeof claims.email !== "string") return;
                    options.mailer.send(addressChangedMail(options.baseURL, claims.email, user.email));
                  },
                },
              },
            },
          },
        };
      },
      hooks: {
        before: [
          {
            matcher: (context) => context.path === "/request-password-reset",
            handler: createAuthMiddleware(async (ctx) => {
              const email = (ctx.body as { email?: unknown } | undefined)?.email;
              if (!ctx.request || typeof email !== "string") return;
              this.answerStarted.set(ctx.request, Date.now());
              // Taken for every address, with an account or not: the same work either way.
              this.resetAllowed.set(ctx.request, await this.limit.take("reset", email));
            }),
          },
          {
            // A change of address needs the password, whatever the session's age.
            matcher: (context) => context.path === "/change-email",
            handler: createAuthMiddleware(async (ctx) => {
              const password = (ctx.body as { password?: unknown } | undefined)?.password;
              if (typeof password !== "string" || password.length === 0) {
                throw new APIError("BAD_REQUEST", { code: PASSWORD_REQUIRED, message: "Enter your password to change the address." });
              }
              const session = await getSessionFromCtx(ctx);
              if (!session) return; // Better Auth answers 401 itself.
              const account = await ctx.context.internalAdapter.findCredentialAccount(session.user.id);
              const ok = !!account?.password && (await ctx.context.password.verify({ hash: account.password, password }));
              if (!ok) throw new APIError("BAD_REQUEST", { code: "INVALID_PASSWORD", message: WRONG_PASSWORD_MESSAGE });
            }),
          },
        ],
        after: [
          {
            matcher: (context) => context.path === "/request-password-reset",
            handler: createAuthMiddleware(async (ctx) => this.evenAnswerTime(ctx.request)),
          },
          {
            // Setting a new password from the mail signs the person in here (every
            // other session has just ended), and proves the address is theirs.
            matcher: (context) => context.path === "/reset-password",
            handler: createAuthMiddleware(async (ctx) => {
              const user = ctx.request && this.passwordReset.get(ctx.request);
              if (!user) return;
              const verified = user.emailVerified ? user : await ctx.context.internalAdapter.updateUser(user.id, { emailVerified: true });
              const session = await ctx.context.internalAdapter.createSession(user.id);
              await setSessionCookie(ctx, { session, user: { ...user, ...verified } });
            }),
          },
          {
            // The answer is the same whether the new address is taken; the mail to it says so.
            matcher: (context) => context.path === "/change-email",
            handler: createAuthMiddleware(async (ctx) => {
              const returned = ctx.context.returned as { status?: unknown } | undefined;
              const newEmail = (ctx.body as { newEmail?: unknown } | undefined)?.newEmail;
              if (!returned || (returned as { status?: unknown }).status !== true || typeof newEmail !== "string") return;
              const session = await getSessionFromCtx(ctx);
              const owner = await ctx.context.internalAdapter.findUserByEmail(newEmail.toLowerCase());
              if (!owner || owner.user.id === session?.user.id) return;
              await this.sendLimited("verify", owner.user.email, () => addressTakenMail(options.baseURL, owner.user.email));
            }),
          },
        ],
      },
    } satisfies BetterAuthPlugin;
  }
}
