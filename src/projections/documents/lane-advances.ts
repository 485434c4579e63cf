import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** The part of the projection engine's Progress the broadcast feeds and is fed by. */
export interface AdvanceSink {
  onLaneAdvance(listener: (name: string, position: number) => void): void;
  observe(name: string, position: number): void;
}

const channelOf = (prefix: string) => `${prefix}:lane-advances`;

/**
 * Every lane advance, broadcast over Redis pub/sub: the processes running lanes publish theirs, every process
 * learns the others' at once. What is learnt retires the document cache's entries of that read model and
 * releases read-your-writes waiters without their polling the checkpoints. A lost message costs only freshness
 * for readers that ask for no position: a reader that asks for one still waits on the stored checkpoints.
 */
export class LaneAdvances {
  private constructor(private readonly subscriber: Redis) {}

  /** Publishes `progress`'s lane advances through `publisher` and subscribes `progress` to everyone's. */
  static async start(progress: AdvanceSink, publisher: Redis, redisUrl: string, prefix: string, logger: Logger): Promise<LaneAdvances> {
    const channel = channelOf(prefix);
    const log = logger.child({ component: 'lane-advances' });
    progress.onLaneAdvance((name, position) => {
      publisher.publish(channel, `${position} ${name}`).catch((error: unknown) => log.warn({ err: error, name, position }, 'could not broadcast a lane advance'));
    });
    const subscriber = new Redis(redisUrl, { lazyConnect: true });
    subscriber.on('error', (error) => log.warn({ err: error }, 'redis subscriber connection error'));
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const space = message.indexOf(' ');
      const position = Number(message.slice(0, space));
      if (space > 0 && Number.isSafeInteger(position)) progress.observe(message.slice(space + 1), position);
    });
    await subscriber.connect();
    await subscriber.subscribe(channel);
    return new LaneAdvances(subscriber);
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
