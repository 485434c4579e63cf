import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Services } from '../../http/services.ts';
import type { VoiceSignalling } from '../../voice/signalling/signalling.ts';
import type { TokenAuthenticator } from '../auth.ts';
import type { SocketConnection } from '../connection.ts';
import type { ControlMessage } from '../control-channel.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { EventFeed, SerialQueue } from '../feed.ts';
import type { LocalSessions } from '../local-sessions.ts';
import type { SessionStore } from '../session-store.ts';

/** What a gateway node lends its op handlers (built by gateway.ts). */
export interface NodeContext {
  readonly nodeId: string;
  readonly services: Services;
  readonly log: Logger;
  readonly redis: Redis;
  readonly auth: TokenAuthenticator;
  /** Sessions in Redis (any node's), and the ones this node holds. */
  readonly store: SessionStore;
  readonly sessions: LocalSessions;
  /** The event stream as this node follows it, and the queue its dispatches run in. */
  readonly feed: EventFeed;
  readonly queue: SerialQueue;
  readonly dispatcher: Dispatcher;
  readonly voice: VoiceSignalling;
  /** Sends a message to every gateway node. */
  control(message: ControlMessage): Promise<unknown>;
  /** The socket now counts towards its user's presence. */
  online(connection: SocketConnection, userId: string): void;
  /** Background work the node waits for when closing. */
  track(promise: Promise<unknown>): void;
}
