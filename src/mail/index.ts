import { fileURLToPath } from 'node:url';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { sendingOnce, type SentMail } from './once.ts';
import { OutboxMailer } from './outbox.ts';
import type { Mailer } from './port.ts';
import { SmtpMailer } from './smtp.ts';

export type { Mail, Mailer } from './port.ts';

/** The default development outbox: .stack/mail in the repository (ignored by git, like the rest of .stack). */
export const DEFAULT_MAIL_OUTBOX_DIR = fileURLToPath(new URL('../../.stack/mail', import.meta.url));

/** The ledger of sent mail ids (see sendingOnce). */
export const SENT_MAILS_COLLECTION = 'mailsSent';

/** SMTP when SMTP_URL is set, else the development outbox (MAIL_OUTBOX_DIR); each mail id sent once. */
export function createMailer(config: Config, db: Db, logger: Logger): Mailer {
  const mailer = config.SMTP_URL
    ? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM)
    : new OutboxMailer(config.MAIL_OUTBOX_DIR ?? DEFAULT_MAIL_OUTBOX_DIR, config.MAIL_FROM, logger.child({ mail: 'outbox' }));
  return sendingOnce(mailer, db.collection<SentMail>(SENT_MAILS_COLLECTION));
}
