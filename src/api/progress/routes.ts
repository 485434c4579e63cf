import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { letterNumberSchema } from '../../commands/course/events.ts';
import { loadCourse, type CourseState } from '../../commands/course/state.ts';
import { notFound } from '../../commands/errors.ts';
import { submissionSchema, type ProgressCommand } from '../../commands/progress/commands.ts';
import { progressDecider } from '../../commands/progress/decide.ts';
import { assignmentKindSchema, assignmentResponseSchema, progressStream, type ProgressEventOf } from '../../commands/progress/events.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { assignmentEntry } from '../../projections/users/progress.ts';
import { awaitOwnWrite } from '../command-answer.ts';
import { timestamp } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';

/** The seed leaves AssignmentProgress undefined: a user's latest submission to one assignment. */
const assignmentProgressSchema = z
  .object({
    letterId: z.number().int(),
    assignmentId: z.string(),
    kind: assignmentKindSchema,
    status: z.enum(['passed', 'failed']),
    response: assignmentResponseSchema.describe('the reflection’s text, or the index of the quiz option chosen'),
    attempts: z.number().int().describe('submissions to this assignment so far'),
    submittedAt: timestamp,
    completedAt: timestamp.optional().describe('when it was passed'),
  })
  .meta({ id: 'AssignmentProgress' });

const letterProgressSchema = z
  .object({
    completedLetters: z.array(z.number().int()),
    currentLetter: z.number().int().describe('the lowest unlocked letter not completed'),
    totalLetters: z.number().int(),
    completedAt: timestamp.optional().describe('set when every letter is completed'),
    assignments: z.array(assignmentProgressSchema),
    lastAccessed: timestamp.describe('the last progress command'),
  })
  .meta({ id: 'LetterProgress' });

const letterParams = z.object({ n: z.coerce.number().pipe(letterNumberSchema) });
const assignmentParams = letterParams.extend({ assignmentId: z.string().min(1).max(64) });

/**
 * Progress through the course: my progress, a submission to an assignment of a letter, and completing a letter.
 * The course the rules check against is the course stream as recorded, never a read model; quiz answers stay on
 * the server (an answer says whether the chosen option was right, never which one is).
 */
export const progressRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const users = services.db.collection('users');

  async function progressOf(request: FastifyRequest, userId: string) {
    await awaitReadModels(services, request, ['users']);
    const user = await users.findOne({ id: userId }, { projection: { _id: 0, letterProgress: 1 } });
    if (!user) throw notFound('user');
    return user.letterProgress as z.input<typeof letterProgressSchema>;
  }

  /** Runs a progress command of the caller's against the course as recorded now; sets X-Event-Position. */
  async function execute(request: FastifyRequest, reply: FastifyReply, command: (userId: string, course: CourseState) => ProgressCommand) {
    const { userId } = requireAuth(request);
    const course = await loadCourse(services.commands);
    const result = await services.commands.execute(progressStream(userId), progressDecider, command(userId, course), commandContext(request));
    setEventPosition(reply, result.position);
    return { userId, result };
  }

  app.get('/users/@me/progress', { schema: { tags: ['letters'], response: responses({ 200: letterProgressSchema }, 404, 503) } }, async (request) =>
    progressOf(request, requireAuth(request).userId),
  );

  app.post(
    '/letters/:n/assignments/:assignmentId',
    { schema: { params: assignmentParams, body: submissionSchema, tags: ['letters'], response: responses({ 200: assignmentProgressSchema }, 403, 404, 409, 422) } },
    async (request, reply) => {
      const { n: letterId, assignmentId } = request.params;
      const at = new Date().toISOString();
      const { result } = await execute(request, reply, (userId, course) => ({ type: 'SubmitAssignment', userId, course, letterId, assignmentId, response: request.body.response, at }));
      const [submitted] = result.events as unknown as ProgressEventOf<'AssignmentSubmitted'>[];
      return assignmentEntry(submitted!.data);
    },
  );

  app.post(
    '/letters/:n/complete',
    { schema: { params: letterParams, tags: ['letters'], response: responses({ 200: letterProgressSchema }, 403, 404, 422, 503) } },
    async (request, reply) => {
      const at = new Date().toISOString();
      const { userId } = await execute(request, reply, (userId, course) => ({ type: 'CompleteLetter', userId, course, letterId: request.params.n, at }));
      await awaitOwnWrite(services, reply, ['users']);
      return progressOf(request, userId);
    },
  );
};
