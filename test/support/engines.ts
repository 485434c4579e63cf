import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { defaultAppRole } from '../../src/events/store/postgres.ts';

export const PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/revolution_test';
export const MONGO_URL = 'mongodb://127.0.0.1:27017';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A private namespace in each real engine (PostgreSQL schema, Mongo database, Redis prefix) for one test file. */
export function isolatedEngines(label: string) {
  const id = `t_${label}_${randomBytes(4).toString('hex')}`;
  return {
    id,
    env: {
      EVENTSTORE_URL: `${PG_TEST_URL}?schema=${id}`,
      MONGODB_URL: `${MONGO_URL}/${id}`,
      REDIS_URL,
      REDIS_PREFIX: id,
    },
    async drop(): Promise<void> {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${id}_search CASCADE`); // the search read model's (src/projections/search)
      await client.query(`DROP SCHEMA IF EXISTS ${id}_history CASCADE`); // the channel history read model's (src/projections/history)
      await client.query(`DROP ROLE IF EXISTS ${defaultAppRole(id)}`); // roles are cluster-wide: none may outlive its test
      await client.end();
      const mongo = await MongoClient.connect(MONGO_URL);
      await mongo.db(id).dropDatabase();
      await mongo.close();
      const redis = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${id}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
