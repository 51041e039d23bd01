import "server-only";
import { createTransport, type Mail as Transporter } from "nodemailer";

/** One mail: a plain-text part always, an HTML part beside it. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What happened to the mails handed over, since the process started. */
export interface MailCounts {
  sent: number;
  /** Attempts that failed for a reason that may pass (no connection, 4xx) and were tried again. */
  retried: number;
  /** Refused for good by the SMTP server (5xx): logged, not retried. */
  refused: number;
  /** Given up after retrying for `giveUpAfterMs`. */
  dropped: number;
}

export interface MailerOptions {
  /** smtp:// or smtps://; undefined: each mail is only logged (recipient and subject). */
  smtpUrl: string | undefined;
  from: string;
  /** First retry delay; doubles after each failure up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a mail is retried before it is dropped (its links last an hour). */
  giveUpAfterMs?: number;
  log?: Pick<Console, "info" | "warn" | "error">;
}

/** The SMTP reply code of a failed send, when the server gave one. */
function replyCode(error: unknown): number | undefined {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" ? code : undefined;
}

function describe(error: unknown): string {
  const code = replyCode(error);
  const kind = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // nodemailer's messages carry the server's reply, never the URL's password.
  return [code && `reply ${code}`, typeof kind === "string" && kind, message.slice(0, 300)].filter(Boolean).join(": ");
}

/**
 * Sends mail through nodemailer without making anyone wait for the SMTP server:
 * `send` hands the mail over and returns at once, and the mail is delivered in the
 * background. A failure that may pass (no connection, a timeout, a 4xx reply) is
 * logged and tried again with backoff, for up to `giveUpAfterMs`; a permanent
 * refusal (5xx) is logged and counted, never retried. Mails waiting to be sent
 * are held in this process's memory: a restart loses them (the person asks again).
 * Log lines name the recipient and subject, never the body (its links are secrets).
 */
export class Mailer {
  readonly counts: MailCounts = { sent: 0, retried: 0, refused: 0, dropped: 0 };
  private readonly transport: Transporter | undefined;
  private readonly pending = new Set<Promise<void>>();
  readonly log: Pick<Console, "info" | "warn" | "error">;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly giveUpAfterMs: number;

  constructor(private readonly options: MailerOptions) {
    this.log = options.log ?? console;
    this.baseBackoffMs = options.baseBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60 * 60 * 1000;
    this.transport = options.smtpUrl
      ? createTransport({
          url: options.smtpUrl,
          // smtp:// upgrades with STARTTLS whenever the server offers it; smtps:// is TLS from the start.
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
        })
      : undefined;
  }

  /** Hands a mail over; returns at once. */
  send(mail: Mail): void {
    if (!this.transport) {
      // No SMTP server and no catcher: say that a mail would have gone, never its links.
      this.log.warn(`mail: SMTP_URL is not set, so this mail was not sent: to ${mail.to}, "${mail.subject}"`);
      return;
    }
    const delivery = this.deliver(this.transport, mail).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /** Resolves once every mail handed over so far is sent, refused or dropped (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async deliver(transport: Transporter, mail: Mail): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.sendMail({ from: this.options.from, ...mail });
        this.counts.sent++;
        if (attempt > 1) this.log.info(`mail: sent to ${mail.to} ("${mail.subject}") at attempt ${attempt}`);
        return;
      } catch (error) {
        const code = replyCode(error);
        if (code !== undefined && code >= 500) {
          this.counts.refused++;
          this.log.error(
            `mail: the SMTP server refused the mail to ${mail.to} ("${mail.subject}") for good (${describe(error)}); ` +
              `not retried (${this.counts.refused} refused so far)`,
          );
          return;
        }
        const delay = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (attempt - 1));
        if (Date.now() + delay - started > this.giveUpAfterMs) {
          this.counts.dropped++;
          this.log.error(`mail: gave up on the mail to ${mail.to} ("${mail.subject}") after ${attempt} attempts (${describe(error)})`);
          return;
        }
        this.counts.retried++;
        this.log.warn(`mail: could not send to ${mail.to} ("${mail.subject}"), attempt ${attempt} (${describe(error)}); retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
      }
    }
  }
}
