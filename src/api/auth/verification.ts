import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ruleBroken } from '../../commands/errors.ts';
import type { CommandContext } from '../../commands/handler.ts';
import { idFor } from '../../commands/request-ids.ts';
import type { LinkIssue } from '../../commands/users/commands.ts';
import { userDecider, userStream } from '../../commands/users/decide.ts';
import { parseVerificationToken, verificationToken } from '../../commands/users/verification-token.ts';
import type { Config } from '../../config.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';

/** A new verification link for `userId`: its token id drawn from the request (a retried request draws the same). */
export function issueLink(config: Config, userId: string, context: CommandContext): LinkIssue {
  const tokenId = idFor(context);
  return { tokenId, tokenHash: verificationToken(config.EMAIL_TOKEN_SECRET, userId, tokenId).tokenHash };
}

const verifyBody = z.object({ token: z.string().max(200).describe('the token of the mailed link (`?token=` of its URL)') }).strict();
const resentSchema = z.object({ expiresAt: z.iso.datetime().describe('when the new link stops verifying') });

/**
 * POST /auth/verify {token}: the mailed link verifies the address (public: the link may be opened anywhere; the
 * token names its user). POST /auth/verify/resend: a new link to the caller's address, superseding the older ones.
 * Refusals (used, superseded, expired, unknown, rate limited) append nothing and send nothing.
 */
export const verificationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { commands, config } = services;

  app.post(
    '/auth/verify',
    {
      config: { public: true, rateLimit: { bucket: 'verify-email', limit: 20, windowSeconds: 60 } },
      schema: { body: verifyBody, tags: ['auth'], security: [], response: responses({ 204: noContent }) },
    },
    async (request, reply) => {
      const parsed = parseVerificationToken(request.body.token);
      if (!parsed) throw ruleBroken('verification_token_invalid', 'this verification link is not valid');
      const { userId, tokenHash } = parsed;
      const result = await commands.execute(
        userStream(userId),
        userDecider,
        { type: 'VerifyEmail', tokenHash, at: new Date().toISOString() },
        { ...commandContext(request), actorId: userId },
      );
      setEventPosition(reply, result.position, userId);
      await awaitOwnWrite(services, reply, ['users']);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/verify/resend',
    {
      config: { rateLimit: { bucket: 'verify-resend', limit: 10, windowSeconds: 60 } },
      schema: { tags: ['auth'], response: responses({ 202: resentSchema }) },
    },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const context = commandContext(request);
      const link = issueLink(config, userId, context);
      const result = await commands.execute(userStream(userId), userDecider, { type: 'RequestEmailVerification', link, at: new Date().toISOString() }, context);
      setEventPosition(reply, result.position);
      const requested = result.events.find((e) => e.type === 'EmailVerificationRequested');
      if (!requested) throw new Error('RequestEmailVerification appended no EmailVerificationRequested');
      return reply.status(202).send({ expiresAt: (requested.data as { expiresAt: string }).expiresAt });
    },
  );
};
