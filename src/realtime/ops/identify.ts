import { randomBytes } from 'node:crypto';
import type { SocketConnection } from '../connection.ts';
import { readStatesFor } from '../../projections/read-states/view.ts';
import { CloseCode, frame, Op } from '../protocol.ts';
import { Session } from '../session.ts';
import { addJoinsSince, readUserSnapshot, type UserSnapshot } from '../user-snapshot.ts';
import { addMemberships } from '../viewer.ts';
import { revoltView } from '../views.ts';
import type { NodeContext } from './context.ts';

interface Identified {
  connection: SocketConnection;
  session: Session;
  snapshot: UserSnapshot;
  done: () => void;
}

/**
 * IDENTIFY: a token in, a new session out, with READY (the user, their revolts with the channels they may view,
 * and their read states in those channels). Sessions join live delivery in batches: one dispatch-queue turn, one
 * Redis round trip and one read-states read (two queries) for every IDENTIFY waiting (a node restart brings
 * thousands at once).
 */
export class Identify {
  private readonly waiting: Identified[] = [];

  constructor(private readonly node: NodeContext) {}

  async handle(connection: SocketConnection, token: string): Promise<void> {
    const { auth, services, feed } = this.node;
    const identity = await auth.authenticate(token);
    if (!connection.open) return;
    if (!identity) return connection.close(CloseCode.AUTHENTICATION_FAILED, 'authentication failed');
    const snapshot = await readUserSnapshot(services, identity.userId, feed.position);
    if (!connection.open) return;
    const session = new Session(randomBytes(16).toString('hex'), identity.userId, identity.authSessionId, services.config.GATEWAY_RESUME_WINDOW);
    session.connection = connection;
    connection.session = session;
    await new Promise<void>((resolve) => {
      this.waiting.push({ connection, session, snapshot, done: resolve });
      if (this.waiting.length === 1) this.node.track(this.node.queue.push(() => this.attachWaiting()));
    });
  }

  /** Attaches every identified session waiting, as of the node's current position, and sends their READY. */
  private async attachWaiting(): Promise<void> {
    const { auth, dispatcher, feed, log, redis, services, sessions, store } = this.node;
    const batch = this.waiting.splice(0);
    const { world } = dispatcher;
    const missing: string[] = [];
    try {
      const position = feed.position;
      const maxBehind = services.config.GATEWAY_MAX_REPLAY_EVENTS;
      for (const { connection, snapshot } of batch) {
        if (position - snapshot.asOf > maxBehind) connection.close(CloseCode.UNKNOWN_ERROR, 'read models are catching up; try again');
      }
      const open = batch.filter((a) => a.connection.open);
      await addJoinsSince(services.store, open.map((a) => ({ userId: a.session.userId, snapshot: a.snapshot })), position);
      missing.push(...new Set(open.flatMap((a) => a.snapshot.revoltIds.filter((id) => !world.has(id)))));
      await Promise.all(missing.map((id) => world.load(id, position)));
      const pipeline = redis.pipeline();
      for (const { session, snapshot } of open) {
        addMemberships(session, world, snapshot.revoltIds);
        session.ring.reset(0, { position: position + 1, skip: 0 });
        store.create(session, pipeline);
      }
      await pipeline.exec();
      // Unread and mention counts as of the readStates lane; ChannelAcked dispatches keep them current from here.
      const readers = open.map(({ session }) => ({ userId: session.userId, revolts: [...session.revolts.keys()].map((id) => world.get(id)!) }));
      const readStates = new Map((await readStatesFor(services.db, readers)).map((view, i) => [open[i]!.session, view]));
      for (const { connection, session, snapshot } of open) {
        // A revocation seen while this IDENTIFY was on its way.
        if (auth.isRevoked(session.authSessionId)) connection.close(CloseCode.AUTHENTICATION_FAILED, 'token revoked');
        if (!connection.open) {
          this.node.track(store.remove(session.id));
          continue;
        }
        sessions.add(session);
        dispatcher.attach(session);
        connection.phase = 'ready';
        connection.send(
          frame(Op.READY, {
            v: 1,
            sessionId: session.id,
            user: snapshot.user,
            revolts: [...session.revolts].map(([id, visible]) => revoltView(world.get(id)!, visible)),
            readStates: readStates.get(session),
          }),
        );
        this.node.online(connection, session.userId);
      }
    } catch (error) {
      log.error({ err: error }, 'gateway: attaching sessions failed');
      for (const { connection } of batch) if (connection.phase !== 'ready') connection.close(CloseCode.UNKNOWN_ERROR, 'internal error');
    } finally {
      dispatcher.dropUnused(missing);
      for (const { done } of batch) done();
    }
  }
}
