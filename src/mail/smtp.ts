import { createTransport, type Transporter } from 'nodemailer';
import { MailRejected, messageOf, type Mail, type Mailer } from './port.ts';

/**
 * The production mailer: SMTP through nodemailer, from a URL that carries the server, port, TLS and credentials
 * (`smtps://user:pass@smtp.example.com:465`, `smtp://user:pass@smtp.example.com:587` with STARTTLS). A pool keeps
 * a few connections open. A mail refused for good throws MailRejected; a server that is down or answers 4xx throws
 * nodemailer's error, which src/engines/transient.ts counts as transient, so a reactor's lane retries it.
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(`${url}${url.includes('?') ? '&' : '?'}pool=true&maxConnections=2`);
  }

  async send(mail: Mail): Promise<void> {
    try {
      await this.transport.sendMail(messageOf(mail, this.from));
    } catch (error) {
      throw refusedForGood(error) ? new MailRejected(`the SMTP server refused mail ${mail.id}: ${(error as Error).message}`, { cause: error }) : error;
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** A 5xx reply, or an envelope nodemailer could not build (no valid recipient): the same mail fails again. */
function refusedForGood(error: unknown): boolean {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  return responseCode !== undefined ? responseCode >= 500 : code === 'EENVELOPE';
}
