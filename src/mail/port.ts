/**
 * One mail the application sends. `id` is chosen by the application and names the mail for good: the same id is the
 * same mail (its Message-ID, its outbox file name, its entry in the ledger of sent mails), so a sender given it again
 * can tell it has been sent.
 */
export interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The link the mail asks its reader to follow, when there is one: the development outbox logs it. */
  link?: string;
}

/** Where mails go: SMTP in production, a folder of `.eml` files in development (see src/mail/index.ts). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

/**
 * The mail server refused this mail for good (an SMTP 5xx reply, a recipient it will not take): sending it again
 * would fail again. Adapters throw it so that callers tell it from a server that is down or asks to retry later.
 */
export class MailRejected extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailRejected';
  }
}

/** A mail id is safe as a file name and inside a Message-ID: letters, digits, `-` and `_`. */
export const MAIL_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function assertMailId(id: string): void {
  if (!MAIL_ID.test(id)) throw new Error(`invalid mail id ${JSON.stringify(id.slice(0, 130))}`);
}

/** The message nodemailer composes from a mail (both adapters build their RFC 5322 message with it). */
export function messageOf(mail: Mail, from: string) {
  assertMailId(mail.id);
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== undefined && { html: mail.html }),
    messageId: `<${mail.id}@${domain}>`,
  };
}
