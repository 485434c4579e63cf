import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sessionDecider, sessionStream } from '../../commands/auth/session.ts';
import { hashPassword, issueToken, verifyPassword } from '../../commands/auth/tokens.ts';
import { AppError, ruleBroken, unauthorized } from '../../commands/errors.ts';
import { usernameSchema } from '../../commands/names.ts';
import { claimValue, releaseClaim, reservationDecider, reservationStream } from '../../commands/reservations/reservation.ts';
import { idFor, randomFor } from '../../commands/request-ids.ts';
import { userDecider, userStream } from '../../commands/users/decide.ts';
import { userTypeSchema } from '../../commands/users/events.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { selfOf, userSchema } from '../users/representation.ts';
import { issueLink, verificationRoutes } from './verification.ts';

const emailSchema = z.email().max(254).transform((e) => e.toLowerCase());
const passwordSchema = z.string().min(8).max(128);

const registerBody = z.object({
  email: emailSchema,
  username: usernameSchema,
  password: passwordSchema,
  userType: userTypeSchema.default('supporter'),
});
const loginBody = z.object({ email: emailSchema, password: z.string().min(1).max(128) });

interface Claimed {
  kind: 'email' | 'tag';
  value: string;
}

/** A claim older than this whose owner never came to exist was left by a registration that crashed half-way. */
const ABANDONED_AFTER_MS = 30_000;
const DISCRIMINATOR_ATTEMPTS = 25;
/** Their answers carry a bearer token: never stored, and the password stays out of the Idempotency-Key's fingerprint. */
const secretAnswer = { secretFields: ['password'] };
/** Compared against when the email is unknown, so a login takes as long whether or not the account exists. */
const DUMMY_HASH = await hashPassword('not-a-real-password-but-a-constant-one');

const session = { token: z.string().describe('the bearer token'), expiresAt: z.iso.datetime() };
const registeredSchema = z.object({ user: userSchema, ...session });
const sessionSchema = z.object(session);

export const authRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands } = services;
  const authLimit = (bucket: string, limit: number) => ({ public: true, rateLimit: { bucket, limit, windowSeconds: 60 } });

  async function claimEmail(email: string, userId: string, context: ReturnType<typeof commandContext>, at: string) {
    const stream = reservationStream('email', email);
    const { state } = await commands.load(stream, reservationDecider);
    let takeOverAbandoned = false;
    if (state.ownerId && state.ownerId !== userId && Date.now() - Date.parse(state.claimedAt ?? at) > ABANDONED_AFTER_MS) {
      takeOverAbandoned = (await services.store.readStream(userStream(state.ownerId), { maxCount: 1 })).length === 0;
    }
    await claimValue(commands, stream, { type: 'Claim', kind: 'email', ownerId: userId, at, takeOverAbandoned }, context);
  }

  /**
   * A discriminator nobody holds for `username` (or `userId` already does: a retried registration), found by
   * reading only: a full username is refused before anything is claimed.
   */
  async function freeDiscriminator(username: string, userId: string, context: ReturnType<typeof commandContext>) {
    for (let attempt = 0; attempt < DISCRIMINATOR_ATTEMPTS; attempt++) {
      const discriminator = String(1 + Math.floor(randomFor(context) * 9999)).padStart(4, '0');
      const { state } = await commands.load(reservationStream('tag', `${username}#${discriminator}`), reservationDecider);
      if (!state.ownerId || state.ownerId === userId) return discriminator;
    }
    throw new AppError('username_unavailable', 'too many users have this username; choose another');
  }

  /** Claims `discriminator`, or another free one when a concurrent registration took it first. */
  async function claimDiscriminator(username: string, discriminator: string, userId: string, context: ReturnType<typeof commandContext>, at: string) {
    for (let candidate = discriminator; ; candidate = await freeDiscriminator(username, userId, context)) {
      try {
        await claimValue(commands, reservationStream('tag', `${username}#${candidate}`), { type: 'Claim', kind: 'tag', ownerId: userId, at }, context);
        return candidate;
      } catch (error) {
        if (!(error instanceof AppError && error.status === 409)) throw error;
      }
    }
  }

  /**
   * A registration that failed before its user was recorded gives its email and tag back at once (rather than
   * after ABANDONED_AFTER_MS). If the user was recorded after all (the failure came after the append), they stay.
   */
  async function releaseUnlessRegistered(userId: string, claimed: Claimed[], context: ReturnType<typeof commandContext>) {
    if ((await services.store.readStream(userStream(userId), { maxCount: 1 })).length > 0) return;
    for (const { kind, value } of claimed) await releaseClaim(commands, kind, value, userId, context);
  }

  async function startSession(userId: string, context: ReturnType<typeof commandContext>) {
    const { sessionId, token, tokenHash } = issueToken();
    const expiresAt = new Date(Date.now() + services.config.AUTH_TOKEN_TTL_SECONDS * 1000).toISOString();
    const result = await commands.execute(
      sessionStream(sessionId),
      sessionDecider,
      { type: 'StartSession', sessionId, userId, tokenHash, expiresAt },
      context,
      { expected: 'no_stream' },
    );
    return { token, expiresAt, position: result.position };
  }

  app.post(
    '/auth/register',
    {
      config: { ...authLimit('register', 20), secretAnswer },
      schema: { body: registerBody, tags: ['auth'], security: [], response: responses({ 201: registeredSchema }) },
    },
    async (request, reply) => {
      const context = commandContext(request);
      const { email, username, password, userType } = request.body;
      const userId = idFor(context);
      const link = issueLink(services.config, userId, context);
      const at = new Date().toISOString();
      const passwordHash = await hashPassword(password);
      const free = await freeDiscriminator(username, userId, context);
      await claimEmail(email, userId, context, at);
      const claimed: Claimed[] = [{ kind: 'email', value: email }];
      let registered;
      try {
        const discriminator = await claimDiscriminator(username, free, userId, context, at);
        claimed.push({ kind: 'tag', value: `${username}#${discriminator}` });
        registered = await commands.execute(
          userStream(userId),
          userDecider,
          { type: 'RegisterUser', userId, email, username, discriminator, passwordHash, userType, link, at },
          { ...context, actorId: userId },
          { expected: 'no_stream' },
        );
      } catch (error) {
        await releaseUnlessRegistered(userId, claimed, context).catch((releaseError: unknown) =>
          request.log.warn({ err: releaseError }, 'a failed registration could not release its claims; they are taken over when abandoned'),
        );
        throw error;
      }
      // A retry of this very request (same Idempotency-Key, hence the same user id) answers as the first did, with a
      // fresh token: its answer was not stored, as it carries one. The password was left out of the key's fingerprint.
      if (registered.alreadyApplied && !(await verifyPassword(registered.state.passwordHash, password))) {
        throw ruleBroken('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      }
      // From here on the account exists: a failure to start its session leaves it for the client to log in to.
      const session = await startSession(userId, { ...context, actorId: userId });
      setEventPosition(reply, session.position, userId);
      await awaitOwnWrite(services, reply, ['users']);
      return reply.status(201).send({ user: await selfOf(services, request, userId), token: session.token, expiresAt: session.expiresAt });
    },
  );

  app.post(
    '/auth/login',
    { config: { ...authLimit('login', 10), secretAnswer }, schema: { body: loginBody, tags: ['auth'], security: [], response: responses({ 200: sessionSchema }, 401) } },
    async (request, reply) => {
      const { email, password } = request.body;
      const claim = await commands.load(reservationStream('email', email), reservationDecider);
      const user = claim.state.ownerId ? (await commands.load(userStream(claim.state.ownerId), userDecider)).state : null;
      const valid = await verifyPassword(user?.exists ? user.passwordHash : DUMMY_HASH, password);
      if (!user?.exists || !valid) throw unauthorized('email or password is wrong');
      const session = await startSession(user.userId, { ...commandContext(request), actorId: user.userId });
      setEventPosition(reply, session.position, user.userId);
      return { token: session.token, expiresAt: session.expiresAt };
    },
  );

  await app.register(verificationRoutes, { services });

  app.post('/auth/logout', { schema: { tags: ['auth'], response: responses({ 204: noContent }) } }, async (request, reply) => {
    const { sessionId } = requireAuth(request);
    const result = await commands.execute(sessionStream(sessionId), sessionDecider, { type: 'RevokeSession' }, commandContext(request));
    setEventPosition(reply, result.position);
    return reply.status(204).send();
  });
};
