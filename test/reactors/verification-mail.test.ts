import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue } from '../../src/catalogue.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import type { UserCommand } from '../../src/commands/users/commands.ts';
import { userDecider, userStream } from '../../src/commands/users/decide.ts';
import type { UserEventOf } from '../../src/commands/users/events.ts';
import { verificationToken } from '../../src/commands/users/verification-token.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';
import { MemoryEventStore } from '../../src/events/store/memory.ts';
import { sendingOnce, type SentMail } from '../../src/mail/once.ts';
import { MailRejected, type Mail, type Mailer } from '../../src/mail/port.ts';
import type { Issue, Load } from '../../src/reactors/reactor.ts';
import { verificationMailReactor } from '../../src/reactors/verification-mail.ts';
import { isolatedEngines, MONGO_URL } from '../support/engines.ts';

const SECRET = 'the-reactor-test-secret';
const USER = 'a'.repeat(24);
const tokenId = (n: number) => n.toString(16).padStart(24, '0');
const link = (n: number) => ({ tokenId: tokenId(n), tokenHash: verificationToken(SECRET, USER, tokenId(n)).tokenHash });
const context = { actorId: USER, correlationId: 'test', causationId: 'test' };
const noCommands: Issue = () => {
  throw new Error('the verification mail reactor issues no command');
};

function recordingMailer(): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return { sent, send: async (mail) => void sent.push(mail), close: async () => {} };
}

/** A user stream in an in-memory store; `run` applies a command at a time, `requests` the link requests recorded. */
async function scene() {
  const store = new MemoryEventStore();
  const commands = new CommandHandler(store, { catalogue: buildEventCatalogue() });
  const load: Load = (streamId, decider) => commands.load(streamId, decider);
  const run = (command: UserCommand) => commands.execute(userStream(USER), userDecider, command, context);
  const now = Date.now();
  const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
  await run({ type: 'RegisterUser', userId: USER, email: 'ada@example.com', username: 'ada', discriminator: '0427', passwordHash: 'h', userType: 'supporter', link: link(1), at: at(0) });
  const requests = async () =>
    (await store.readStream(userStream(USER))).filter((e): e is RecordedEvent & UserEventOf<'EmailVerificationRequested'> => e.type === 'EmailVerificationRequested');
  return { run, load, at, requests };
}

const warnings: unknown[] = [];
const reactorWith = (mailer: Mailer, extra: { now?: () => number; tokenSecret?: string } = {}) =>
  verificationMailReactor({ mailer, publicUrl: 'https://example.test/app', tokenSecret: SECRET, logger: { warn: (fields: unknown) => warnings.push(fields) } as never, ...extra });

describe('the verification mail reactor', () => {
  it('mails the newest link, into PUBLIC_URL, to the address, named by its token id', async () => {
    const { load, requests } = await scene();
    const mailer = recordingMailer();
    const [requested] = await requests();
    await reactorWith(mailer).react(requested!, noCommands, load);
    const token = verificationToken(SECRET, USER, tokenId(1)).token;
    expect(mailer.sent).toEqual([
      expect.objectContaining({ id: `verify-email-${tokenId(1)}`, to: 'ada@example.com', link: `https://example.test/app/verify-email?token=${token}` }),
    ]);
    expect(mailer.sent[0]!.text).toContain(`https://example.test/app/verify-email?token=${token}`);
  });

  it('mails nothing stale: a superseded link, an expired one, or any once the address is verified', async () => {
    const { run, load, at, requests } = await scene();
    const mailer = recordingMailer();
    await run({ type: 'RequestEmailVerification', link: link(2), at: at(2) });
    const [first, second] = await requests();
    await reactorWith(mailer).react(first!, noCommands, load);
    expect(mailer.sent).toEqual([]);
    await reactorWith(mailer, { now: () => Date.parse(second!.data.requestedAt) + 24 * 3600_000 }).react(second!, noCommands, load);
    expect(mailer.sent).toEqual([]);
    await run({ type: 'VerifyEmail', tokenHash: link(2).tokenHash, at: at(3) });
    await reactorWith(mailer).react(second!, noCommands, load);
    expect(mailer.sent).toEqual([]);
  });

  it('a link issued under another secret is not mailed (it would not verify), and says so', async () => {
    const { load, requests } = await scene();
    const mailer = recordingMailer();
    const [requested] = await requests();
    await reactorWith(mailer, { tokenSecret: 'a-rotated-secret-value' }).react(requested!, noCommands, load);
    expect(mailer.sent).toEqual([]);
    expect(warnings).toContainEqual({ eventId: requested!.id, userId: USER });
  });

  it('a mail refused for good is logged and the lane goes on; any other failure is thrown for the lane to retry', async () => {
    const { load, requests } = await scene();
    const [requested] = await requests();
    const failing = (error: Error): Mailer => ({ send: async () => Promise.reject(error), close: async () => {} });
    await reactorWith(failing(new MailRejected('550 no such user'))).react(requested!, noCommands, load);
    expect(warnings).toContainEqual(expect.objectContaining({ eventId: requested!.id, reason: '550 no such user' }));
    await expect(reactorWith(failing(new Error('connect ECONNREFUSED'))).react(requested!, noCommands, load)).rejects.toThrow(/ECONNREFUSED/);
  });

  describe('given the same event again (redelivered, replayed)', () => {
    const engines = isolatedEngines('verification_mail');
    let mongo: MongoClient;
    beforeAll(async () => {
      mongo = await MongoClient.connect(`${MONGO_URL}/${engines.id}`);
    });
    afterAll(async () => {
      await mongo?.close();
      await engines.drop();
    });

    it('sends its mail once', async () => {
      const { load, requests } = await scene();
      const mailer = recordingMailer();
      const once = sendingOnce(mailer, mongo.db().collection<SentMail>('mailsSent'));
      const [requested] = await requests();
      for (let delivery = 0; delivery < 3; delivery++) await reactorWith(once).react(requested!, noCommands, load);
      expect(mailer.sent.map((m) => m.id)).toEqual([`verify-email-${tokenId(1)}`]);
    });
  });
});
