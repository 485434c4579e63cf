import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newId } from '../../events/ids.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { AppError, unauthorized } from '../errors.ts';
import { reservationDecider, reservationStream } from '../reservations/reservation.ts';
import { userDecider, userStream, type UserState } from '../users/decide.ts';
import { userTypeSchema } from '../users/events.ts';
import { sessionDecider, sessionStream } from './session.ts';
import { hashPassword, issueToken, verifyPassword } from './tokens.ts';

const emailSchema = z.email().max(254).transform((e) => e.toLowerCase());
export const usernameSchema = z
  .string()
  .trim()
  .min(2)
  .max(32)
  .regex(/^[^@#:`\n\r\t]+$/, 'a username may not contain @ # : ` or control characters')
  .refine((u) => u !== 'everyone' && u !== 'here', 'that username is reserved');
const passwordSchema = z.string().min(8).max(128);

const registerBody = z.object({
  email: emailSchema,
  username: usernameSchema,
  password: passwordSchema,
  userType: userTypeSchema.default('supporter'),
});
const loginBody = z.object({ email: emailSchema, password: z.string().min(1).max(128) });

/** A claim older than this whose owner never came to exist was left by a registration that crashed half-way. */
const ABANDONED_AFTER_MS = 30_000;
const DISCRIMINATOR_ATTEMPTS = 25;
/** Compared against when the email is unknown, so a login takes as long whether or not the account exists. */
const DUMMY_HASH = await hashPassword('not-a-real-password-but-a-constant-one');

export function selfView(user: UserState, joinedAt?: string) {
  return { id: user.userId, username: user.username, discriminator: user.discriminator, email: user.email, ...(joinedAt && { joinedAt }) };
}

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
    await commands.execute(stream, reservationDecider, { type: 'Claim', kind: 'email', ownerId: userId, at, takeOverAbandoned }, context);
  }

  async function claimDiscriminator(username: string, userId: string, context: ReturnType<typeof commandContext>, at: string) {
    for (let attempt = 0; attempt < DISCRIMINATOR_ATTEMPTS; attempt++) {
      const discriminator = String(1 + Math.floor(Math.random() * 9999)).padStart(4, '0');
      const stream = reservationStream('tag', `${username}#${discriminator}`);
      try {
        await commands.execute(stream, reservationDecider, { type: 'Claim', kind: 'tag', ownerId: userId, at }, context);
        return discriminator;
      } catch (error) {
        if (!(error instanceof AppError && error.status === 409)) throw error;
      }
    }
    throw new AppError(409, 'username_unavailable', 'too many users have this username; choose another');
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
    { config: authLimit('register', 20), schema: { body: registerBody, tags: ['auth'], security: [] } },
    async (request, reply) => {
      const context = commandContext(request);
      const { email, username, password, userType } = request.body;
      const userId = newId();
      const at = new Date().toISOString();
      const passwordHash = await hashPassword(password);
      await claimEmail(email, userId, context, at);
      const discriminator = await claimDiscriminator(username, userId, context, at);
      const registered = await commands.execute(
        userStream(userId),
        userDecider,
        { type: 'RegisterUser', userId, email, username, discriminator, passwordHash, userType, at },
        { ...context, actorId: userId },
        { expected: 'no_stream' },
      );
      const session = await startSession(userId, { ...context, actorId: userId });
      setEventPosition(reply, session.position);
      return reply.status(201).send({
        user: { ...selfView(registered.state, at), userType },
        token: session.token,
        expiresAt: session.expiresAt,
      });
    },
  );

  app.post(
    '/auth/login',
    { config: authLimit('login', 10), schema: { body: loginBody, tags: ['auth'], security: [] } },
    async (request, reply) => {
      const { email, password } = request.body;
      const claim = await commands.load(reservationStream('email', email), reservationDecider);
      const user = claim.state.ownerId ? (await commands.load(userStream(claim.state.ownerId), userDecider)).state : null;
      const valid = await verifyPassword(user?.exists ? user.passwordHash : DUMMY_HASH, password);
      if (!user?.exists || !valid) throw unauthorized('email or password is wrong');
      const session = await startSession(user.userId, { ...commandContext(request), actorId: user.userId });
      setEventPosition(reply, session.position);
      return { token: session.token, expiresAt: session.expiresAt };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
    const { sessionId } = requireAuth(request);
    const result = await commands.execute(sessionStream(sessionId), sessionDecider, { type: 'RevokeSession' }, commandContext(request));
    setEventPosition(reply, result.position);
    return reply.status(204).send();
  });
};
