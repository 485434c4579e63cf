import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { messageOf, type Mail, type Mailer } from './port.ts';

/**
 * The development mailer: each mail becomes `<dir>/<id>.eml` (a complete RFC 5322 message any mail client opens),
 * written whole or not at all, and its link is logged so a developer can follow it without opening the file.
 */
export class OutboxMailer implements Mailer {
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    readonly dir: string,
    private readonly from: string,
    private readonly logger: Pick<Logger, 'info'>,
  ) {}

  async send(mail: Mail): Promise<void> {
    const composed = await this.composer.sendMail(messageOf(mail, this.from));
    const file = join(this.dir, `${mail.id}.eml`);
    await mkdir(this.dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, composed.message as Buffer);
    await rename(partial, file);
    this.logger.info({ file, ...(mail.link !== undefined && { link: mail.link }) }, `mail "${mail.subject}" written to the outbox`);
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}
