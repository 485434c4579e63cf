import type { Collection } from 'mongodb';
import type { Mail, Mailer } from './port.ts';

/** An entry of the ledger of sent mails: the mail's id and when it went out. */
export interface SentMail {
  _id: string;
  sentAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * Sends each mail id once: a mail whose id the ledger holds is not sent again (a reactor's event redelivered after a
 * crash, or replayed). The entry is written after the mail is handed over, so a crash between the two sends that
 * mail once more rather than losing it: at least once, and once but for that window (SMTP offers no way to ask
 * whether a message was taken; its deterministic Message-ID lets receiving systems drop the twin).
 */
export function sendingOnce(mailer: Mailer, ledger: Collection<SentMail>): Mailer {
  return {
    async send(mail: Mail) {
      if (await ledger.findOne({ _id: mail.id }, { projection: { _id: 1 } })) return;
      await mailer.send(mail);
      try {
        await ledger.insertOne({ _id: mail.id, sentAt: new Date() });
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      }
    },
    close: () => mailer.close(),
  };
}
