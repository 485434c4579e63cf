import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendingOnce, type SentMail } from '../../src/mail/once.ts';
import { OutboxMailer } from '../../src/mail/outbox.ts';
import { MailRejected, type Mail, type Mailer } from '../../src/mail/port.ts';
import { isTransientError } from '../../src/engines/transient.ts';
import { SmtpMailer } from '../../src/mail/smtp.ts';
import { isolatedEngines, MONGO_URL } from '../support/engines.ts';
import { smtpSinkUnavailable, startSmtpSink } from './smtp-sink.ts';

const FROM = 'Revolution Network <no-reply@revolution.test>';
const mail = (id: string, extra: Partial<Mail> = {}): Mail => ({
  id,
  to: 'ada@example.com',
  subject: 'Verify your email address',
  text: 'Follow this link:\nhttp://127.0.0.1:3000/verify-email?token=abc.def\n',
  link: 'http://127.0.0.1:3000/verify-email?token=abc.def',
  ...extra,
});

describe('the development outbox', () => {
  let dir: string;
  const logged: unknown[] = [];
  let outbox: OutboxMailer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    outbox = new OutboxMailer(join(dir, 'mail'), FROM, { info: (fields: unknown) => logged.push(fields) } as never);
  });
  afterAll(async () => {
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each mail whole as <id>.eml, a message any mail client opens, and logs its link', async () => {
    await outbox.send(mail('verify-email-1'));
    await outbox.send(mail('verify-email-2', { to: 'bob@example.com', subject: 'Another' }));
    expect((await readdir(join(dir, 'mail'))).sort()).toEqual(['verify-email-1.eml', 'verify-email-2.eml']);
    const eml = await readFile(join(dir, 'mail', 'verify-email-1.eml'), 'utf8');
    expect(eml).toMatch(/^From: Revolution Network <no-reply@revolution\.test>$/m);
    expect(eml).toMatch(/^To: ada@example\.com$/m);
    expect(eml).toMatch(/^Subject: Verify your email address$/m);
    expect(eml).toMatch(/^Message-ID: <verify-email-1@revolution\.test>$/m);
    expect(eml).toContain('http://127.0.0.1:3000/verify-email?token=abc.def');
    expect(logged).toContainEqual({ file: join(dir, 'mail', 'verify-email-1.eml'), link: 'http://127.0.0.1:3000/verify-email?token=abc.def' });
  });

  it('refuses an id that is not safe as a file name', async () => {
    await expect(outbox.send(mail('../escape'))).rejects.toThrow(/invalid mail id/);
    expect(await readdir(dir)).toEqual(['mail']);
  });
});

describe('each mail id sent once (the ledger on the read-model database)', () => {
  const engines = isolatedEngines('mail');
  let mongo: MongoClient;
  let ledger: Collection<SentMail>;
  beforeAll(async () => {
    mongo = await MongoClient.connect(`${MONGO_URL}/${engines.id}`);
    ledger = mongo.db().collection<SentMail>('mailsSent');
  });
  afterAll(async () => {
    await mongo?.close();
    await engines.drop();
  });

  it('a mail given again is not sent again; a mailer that fails records nothing, so the retry sends it', async () => {
    const sent: string[] = [];
    let failNext = true;
    const flaky: Mailer = {
      async send(m) {
        if (failNext) {
          failNext = false;
          throw new Error('the SMTP server went away');
        }
        sent.push(m.id);
      },
      close: async () => {},
    };
    const once = sendingOnce(flaky, ledger);
    await expect(once.send(mail('m-1'))).rejects.toThrow(/went away/);
    await once.send(mail('m-1'));
    await once.send(mail('m-1'));
    await once.send(mail('m-2'));
    expect(sent).toEqual(['m-1', 'm-2']);
    expect((await ledger.find({}).toArray()).map((entry) => entry._id).sort()).toEqual(['m-1', 'm-2']);
  });
});

const unavailable = smtpSinkUnavailable();

describe.skipIf(unavailable !== null)(`the SMTP adapter against a real SMTP server${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let smtp: SmtpMailer;
  beforeAll(async () => {
    sink = await startSmtpSink();
    smtp = new SmtpMailer(sink.url, FROM);
  });
  afterAll(async () => {
    await smtp?.close();
    sink?.stop();
  });

  it('delivers the message with its envelope, headers and body', async () => {
    await smtp.send(mail('verify-email-smtp'));
    // The server prints what it took as it answers 250: the line may reach us just after the send resolves.
    await vi.waitFor(() => expect(sink.received).toHaveLength(1));
    const [received] = sink.received;
    expect(received!.from).toBe('no-reply@revolution.test');
    expect(received!.to).toEqual(['ada@example.com']);
    expect(received!.data).toMatch(/^Message-ID: <verify-email-smtp@revolution\.test>$/m);
    expect(received!.data).toMatch(/^Subject: Verify your email address$/m);
    expect(received!.data).toContain('http://127.0.0.1:3000/verify-email?token=abc.def');
  });

  it('a mail refused for good (5xx, or no valid recipient) is MailRejected; a 4xx or a server away is transient', async () => {
    await expect(smtp.send(mail('refused', { to: 'nobody@example.com' }))).rejects.toBeInstanceOf(MailRejected);
    await expect(smtp.send(mail('unaddressed', { to: 'not an address' }))).rejects.toBeInstanceOf(MailRejected);
    const deferred = await smtp.send(mail('deferred', { to: 'later@example.com' })).catch((error: unknown) => error);
    expect(deferred).not.toBeInstanceOf(MailRejected);
    expect(isTransientError(deferred)).toBe(true);
    const away = new SmtpMailer('smtp://127.0.0.1:1', FROM);
    const unreachable = await away.send(mail('away')).catch((error: unknown) => error);
    await away.close();
    expect(isTransientError(unreachable)).toBe(true);
    expect(sink.received.map((m) => m.to)).toEqual([['ada@example.com']]);
  });
});
