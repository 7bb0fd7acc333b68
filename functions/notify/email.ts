import type { Config, Logger } from '@todo/core';
import { Resend } from 'resend';

export interface ReminderEmail {
  to: string;
  subject: string;
  text: string;
  /** Stable per task, occurrence and channel, so a retried send is one email at Resend too. */
  idempotencyKey: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A subject as a single clean line: control characters (C0 incl. CR/LF and TAB, DEL, C1) become spaces,
 * and runs of whitespace (including U+2028/U+2029 and no-break spaces) one space, trimmed. A task title
 * is user text; a line break in a subject would at best garble it and at worst be read as a header break
 * by a mail system downstream.
 */
export function emailSubject(raw: string): string {
  return raw.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

/** Resend answers in well under a second; a send that hangs is abandoned (and retried) after this. */
const SEND_TIMEOUT_MS = 10_000;

export class EmailSendError extends Error {
  override readonly name = 'EmailSendError';
  constructor(
    message: string,
    /** False for a request Resend rejected as invalid (retrying will not help). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface EmailSender {
  /** `true` when mail really leaves (Resend configured); `false` when it is only logged. */
  readonly live: boolean;
  send(email: ReminderEmail): Promise<{ id: string }>;
}

/**
 * Resend when RESEND_API_KEY is set (RESEND_BASE_URL points it elsewhere, e.g. a local test server);
 * otherwise a sender that logs the email, announced once at start so nobody waits for mail that won't come.
 */
export function createEmailSender(config: Config, log: Logger): EmailSender {
  if (!config.RESEND_API_KEY) {
    log.info('email is off: RESEND_API_KEY is not set, so reminder emails are logged instead of sent');
    return {
      live: false,
      async send(email) {
        log.info('email (not sent: email is off)', { to: email.to, subject: emailSubject(email.subject) });
        return { id: 'logged' };
      },
    };
  }
  const resend = new Resend(
    config.RESEND_API_KEY,
    config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : {},
  );
  return {
    live: true,
    async send(email) {
      let result: Awaited<ReturnType<typeof resend.emails.send>>;
      try {
        result = await resend.emails.send(
          { from: config.EMAIL_FROM, to: email.to, subject: emailSubject(email.subject), text: email.text },
          { idempotencyKey: email.idempotencyKey, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
        );
      } catch (e) {
        throw new EmailSendError(`resend unreachable: ${(e as Error).message}`, true);
      }
      if (result.error) {
        const status = result.error.statusCode;
        const retryable = status === null || status === 429 || status >= 500;
        throw new EmailSendError(`resend ${status ?? 'error'}: ${result.error.message}`, retryable);
      }
      return { id: result.data?.id ?? 'unknown' };
    },
  };
}
