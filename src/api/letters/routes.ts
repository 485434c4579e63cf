import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { courseDecider, type CourseActor, type CourseCommand } from '../../commands/course/decide.ts';
import { letterBodySchema, letterDefinitionSchema, letterFields, letterNumberSchema } from '../../commands/course/events.ts';
import { COURSE_STREAM } from '../../commands/course/state.ts';
import { notFound } from '../../commands/errors.ts';
import { staffRolesOf } from '../../commands/staff/roster.ts';
import { commandContext, requireAuth } from '../../http/context.ts';
import { awaitReadModels, setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { HIDDEN } from '../../projections/views.ts';
import { list, noContent } from '../schemas/fields.ts';
import { responses } from '../schemas/responses.ts';
import { letterView, letterViewSchema, publishedLetter, publishedLetterSchema } from './view.ts';

const params = z.object({ n: z.coerce.number().pipe(letterNumberSchema) });
const LIVE = { retiredAt: { $exists: false } };
const changesSchema = z
  .strictObject(letterFields)
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'name at least one field to change');

/**
 * The course: every user reads the letters (unlocked per user from their completed letters, a locked one without
 * its content); operators publish (POST, or PUT to a new number), revise (PUT the whole letter, PATCH some fields)
 * and retire (DELETE) letters. Quiz answers never leave the server: the read model does not hold them and the
 * operators' answers leave them out.
 */
export const letterRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const letters = services.db.collection('letters');
  const users = services.db.collection('users');

  async function completedLetters(userId: string): Promise<number[]> {
    const user = await users.findOne({ id: userId }, { projection: { 'letterProgress.completedLetters': 1 } });
    return (user?.letterProgress?.completedLetters as number[] | undefined) ?? [];
  }

  async function operatorCommand(userId: string, command: (actor: CourseActor) => CourseCommand, request: FastifyRequest) {
    const actor = { roles: await staffRolesOf(services.commands, userId) };
    return services.commands.execute(COURSE_STREAM, courseDecider, command(actor), commandContext(request));
  }

  app.get('/letters', { schema: { tags: ['letters'], response: responses({ 200: list(letterViewSchema) }) } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['letters', 'users']);
    const [docs, completed] = await Promise.all([letters.find(LIVE, { projection: HIDDEN }).sort({ id: 1 }).toArray(), completedLetters(userId)]);
    return { items: docs.map((doc) => letterView(doc, completed)) };
  });

  app.get('/letters/:n', { schema: { params, tags: ['letters'], response: responses({ 200: letterViewSchema }, 404) } }, async (request) => {
    const { userId } = requireAuth(request);
    await awaitReadModels(services, request, ['letters', 'users']);
    const [doc, completed] = await Promise.all([letters.findOne({ id: request.params.n, ...LIVE }, { projection: HIDDEN }), completedLetters(userId)]);
    if (!doc) throw notFound(`letter ${request.params.n}`);
    return letterView(doc, completed);
  });

  app.post(
    '/letters',
    { schema: { body: letterDefinitionSchema, tags: ['letters'], response: responses({ 201: publishedLetterSchema }, 403, 409, 422) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const letter = request.body;
      const result = await operatorCommand(userId, (actor) => ({ type: 'Publish', letter, actor, at: new Date().toISOString() }), request);
      setEventPosition(reply, result.position);
      return reply.code(201).send(publishedLetter(result.state.letters.get(letter.letterId)!));
    },
  );

  app.put(
    '/letters/:n',
    { schema: { params, body: letterBodySchema, tags: ['letters'], response: responses({ 200: publishedLetterSchema, 201: publishedLetterSchema }, 403, 422) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { n } = request.params;
      const letter = { letterId: n, ...request.body };
      const result = await operatorCommand(userId, (actor) => ({ type: 'Import', letters: [letter], actor, at: new Date().toISOString() }), request);
      setEventPosition(reply, result.position);
      const created = result.events.some((e) => e.type === 'LetterPublished');
      return reply.code(created ? 201 : 200).send(publishedLetter(result.state.letters.get(n)!));
    },
  );

  app.patch(
    '/letters/:n',
    { schema: { params, body: changesSchema, tags: ['letters'], response: responses({ 200: publishedLetterSchema }, 403, 404, 422) } },
    async (request, reply) => {
      const { userId } = requireAuth(request);
      const { n } = request.params;
      const result = await operatorCommand(userId, (actor) => ({ type: 'Revise', letterId: n, changes: request.body, actor, at: new Date().toISOString() }), request);
      setEventPosition(reply, result.position);
      return publishedLetter(result.state.letters.get(n)!);
    },
  );

  app.delete('/letters/:n', { schema: { params, tags: ['letters'], response: responses({ 204: noContent }, 403, 404, 422) } }, async (request, reply) => {
    const { userId } = requireAuth(request);
    const { n } = request.params;
    const result = await operatorCommand(userId, (actor) => ({ type: 'Retire', letterId: n, actor, at: new Date().toISOString() }), request);
    setEventPosition(reply, result.position);
    return reply.code(204).send();
  });
};
