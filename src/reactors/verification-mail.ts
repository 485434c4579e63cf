import type { Logger } from 'pino';
import { userDecider, userStream } from '../commands/users/decide.ts';
import type { UserEventOf } from '../commands/users/events.ts';
import { verificationToken } from '../commands/users/verification-token.ts';
import type { Config } from '../config.ts';
import { MailRejected, type Mail, type Mailer } from '../mail/port.ts';
import type { Reactor } from './reactor.ts';

export const VERIFICATION_MAIL_REACTOR = 'verification-mail';

export interface VerificationMailOptions {
  mailer: Mailer;
  /** The web client's address (PUBLIC_URL): the link opens its verify-email page, which posts the token. */
  publicUrl: string;
  /** EMAIL_TOKEN_SECRET: the link's token is derived again from the request's token id (see verification-token.ts). */
  tokenSecret: string;
  logger: Pick<Logger, 'warn'>;
  /** The clock expiry is judged by (tests pass their own). */
  now?: () => number;
}

/**
 * Mails each verification link once its request is recorded (at registration, on a resend). A lane delivers
 * every request at least once, so a restart loses none, and retries while the mail server is away; the mail's id is
 * the request's token id, which the mailer sends once (src/mail/once.ts), so a redelivery or a replay sends none
 * twice. A mail refused for good is logged and skipped: one bad address does not hold back everyone's. Only a link that still verifies is
 * mailed: the newest one of an address not verified yet, before its expiry. A lane behind a resend, or a replay
 * of history, mails nothing stale. It issues no command: a mail sent is not a fact the domain decides on.
 */
export function verificationMailReactor(options: VerificationMailOptions): Reactor<UserEventOf<'EmailVerificationRequested'>> {
  const now = options.now ?? Date.now;
  const base = options.publicUrl.endsWith('/') ? options.publicUrl : `${options.publicUrl}/`;
  return {
    name: VERIFICATION_MAIL_REACTOR,
    handles: ['EmailVerificationRequested'],
    async react(event, _issue, load) {
      const { userId, tokenId } = event.data;
      const { state } = await load(userStream(userId), userDecider);
      const current = state.emailVerification.current;
      if (current?.tokenId !== tokenId || Date.parse(current.expiresAt) <= now()) return;
      const { token, tokenHash } = verificationToken(options.tokenSecret, userId, tokenId);
      if (tokenHash !== current.tokenHash) {
        options.logger.warn({ eventId: event.id, userId }, 'a verification link issued under another EMAIL_TOKEN_SECRET cannot be mailed; the user can ask for a new one');
        return;
      }
      const link = new URL('verify-email', base);
      link.searchParams.set('token', token);
      try {
        await options.mailer.send(verificationMail(tokenId, state.email, state.username, link.href, current.expiresAt));
      } catch (error) {
        // Refused for good (the address does not exist): the lane goes on; the user may ask for a new link.
        if (!(error instanceof MailRejected)) throw error;
        options.logger.warn({ eventId: event.id, userId, reason: error.message }, 'the mail server refused a verification mail');
      }
    },
  };
}

/** The reactor as the composition roots run it (the server, the projector CLI): from the configuration. */
export function configuredVerificationMailReactor(config: Pick<Config, 'PUBLIC_URL' | 'EMAIL_TOKEN_SECRET'>, mailer: Mailer, logger: Pick<Logger, 'warn'>) {
  return verificationMailReactor({ mailer, publicUrl: config.PUBLIC_URL, tokenSecret: config.EMAIL_TOKEN_SECRET, logger });
}

function verificationMail(tokenId: string, to: string, username: string, link: string, expiresAt: string): Mail {
  return {
    id: `verify-email-${tokenId}`,
    to,
    subject: 'Verify your email address',
    text: [
      `Hello ${username},`,
      '',
      'Follow this link to verify the email address of your Revolution Network account:',
      link,
      '',
      `The link works once, until ${expiresAt}. If you did not create an account, ignore this mail.`,
    ].join('\n'),
    link,
  };
}
