import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { CATEGORIES, RARITIES } from '../../commands/achievements/catalogue.ts';
import { notFound } from '../../commands/errors.ts';
import { idSchema } from '../../events/ids.ts';
import { requireAuth } from '../../http/context.ts';
import { awaitReadModels } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { responses } from '../schemas/responses.ts';

/** The seed's Achievement, as `users.achievements` embeds it (requirement types as recorded, whatever the catalogue says now). */
const achievementSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  category: z.enum(CATEGORIES),
  requirements: z.array(z.object({ type: z.string(), value: z.number(), description: z.string() })),
  unlockedAt: z.iso.datetime(),
  rarity: z.enum(RARITIES),
});

type Achievement = z.infer<typeof achievementSchema>;

/** A user's unlocked achievements, in the order they were unlocked: anyone signed in may see anyone's. */
export const achievementRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const users = services.db.collection<{ achievements: (Omit<Achievement, 'unlockedAt'> & { unlockedAt: Date })[] }>('users');
  app.get(
    '/users/:userId/achievements',
    {
      schema: {
        params: z.object({ userId: z.union([idSchema, z.literal('@me')]) }),
        tags: ['achievements'],
        response: responses({ 200: z.object({ items: z.array(achievementSchema) }) }, 404),
      },
    },
    async (request) => {
      const { userId } = requireAuth(request);
      await awaitReadModels(services, request, ['users']);
      const subject = request.params.userId === '@me' ? userId : request.params.userId;
      const user = await users.findOne({ _id: new ObjectId(subject) }, { projection: { achievements: 1 } });
      if (!user) throw notFound('user');
      return { items: user.achievements.map((achievement) => ({ ...achievement, unlockedAt: achievement.unlockedAt.toISOString() })) };
    },
  );
};
