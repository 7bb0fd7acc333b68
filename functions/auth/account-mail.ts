import type { Config, Logger } from '@todo/core';
import { hashOpaqueToken } from '@todo/core/accounts/sessions';
import { createEmailSender, type EmailSender } from '../notify/email.ts';

/** How long the links are good for. */
export const VERIFY_EMAIL_TTL_SECONDS = 48 * 3600;
export const PASSWORD_RESET_TTL_SECONDS = 3600;

export interface AccountMailer {
  verifyEmail(to: string, token: string): Promise<void>;
  passwordReset(to: string, token: string): Promise<void>;
}

/** `${APP_BASE_URL}/<page>?token=…`: the web app's page reads the token and calls the API. */
function link(config: Config, page: string, token: string): string {
  const url = new URL(
    page,
    config.APP_BASE_URL.endsWith('/') ? config.APP_BASE_URL : `${config.APP_BASE_URL}/`,
  );
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * Account emails (verify an address, reset a password) through the same sender as reminders: Resend
 * when RESEND_API_KEY is set, otherwise logged (without the link: a log is not a mailbox).
 */
export function createAccountMailer(
  config: Config,
  log: Logger,
  sender: EmailSender = createEmailSender(config, log),
): AccountMailer {
  // The idempotency key names the token (by its hash), so a retried send is one email at Resend.
  const key = (purpose: string, token: string) => `account/${purpose}/${hashOpaqueToken(token)}`;
  return {
    async verifyEmail(to, token) {
      const url = link(config, 'verify-email', token);
      await sender.send({
        to,
        subject: 'Confirm your email address',
        text: `Confirm that this address is yours, so reminders can be emailed to it:\n\n${url}\n\nThe link is good for 48 hours. If you did not sign up, ignore this email.\n`,
        idempotencyKey: key('verify', token),
      });
    },
    async passwordReset(to, token) {
      const url = link(config, 'reset-password', token);
      await sender.send({
        to,
        subject: 'Reset your password',
        text: `Someone (we hope you) asked to reset the password for this address. Choose a new one here:\n\n${url}\n\nThe link works once, within an hour. If it was not you, ignore this email: your password stays as it is.\n`,
        idempotencyKey: key('reset', token),
      });
    },
  };
}
