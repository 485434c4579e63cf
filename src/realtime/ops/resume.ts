import type { SocketConnection } from '../connection.ts';
import { CloseCode, frame, Op, type ClientFrameOf } from '../protocol.ts';
import { Replay } from '../replay.ts';
import { resolveResume, Session } from '../session.ts';
import type { ClaimResult } from '../session-store.ts';
import type { NodeContext } from './context.ts';

/** How long a RESUME waits for the node holding the session to let go before taking it anyway. */
const TAKEOVER_WAIT_MS = 3000;

/**
 * RESUME: takes over a session (from whichever node holds it), replays from the event store what the client
 * missed after `seq`, then joins live delivery at exactly that point (src/realtime/README.md, "How it works").
 */
export async function resume(node: NodeContext, connection: SocketConnection, request: ClientFrameOf<'RESUME'>['d']): Promise<void> {
  const { auth, dispatcher, feed, queue, services, sessions, store } = node;
  const { config } = services;
  // Everything is checked before the claim: claiming takes the session from the socket holding it.
  const tokenAuth = request.token ? await auth.authenticate(request.token) : undefined;
  if (tokenAuth === null) return connection.close(CloseCode.AUTHENTICATION_FAILED, 'authentication failed');
  const owner = await store.owner(request.sessionId);
  // Someone else's session looks unknown to a token's holder.
  if (!owner || (tokenAuth && tokenAuth.userId !== owner.userId)) return invalidSession(connection);
  if (!(await auth.stands(owner.authSessionId, owner.userId))) {
    await store.remove(request.sessionId);
    return connection.close(CloseCode.AUTHENTICATION_FAILED, 'authentication failed');
  }
  if (!connection.open) return;
  const claim = await claimSession(node, request.sessionId);
  if (claim.status !== 'ok') return invalidSession(connection);
  const stored = claim.session;
  const session = new Session(stored.id, stored.userId, stored.authSessionId, config.GATEWAY_RESUME_WINDOW);
  session.epoch = stored.epoch;
  session.ring.restore(stored.anchorSeq, stored.anchor, stored.entries);
  const point = resolveResume(stored.anchorSeq, stored.anchor, stored.entries, request.seq);
  if (!point || feed.position - point.position > config.GATEWAY_MAX_REPLAY_EVENTS) {
    await store.remove(stored.id);
    return invalidSession(connection);
  }
  if (!connection.open) return sessions.release(session);

  session.seq = request.seq;
  session.ring.reset(request.seq, point);
  session.connection = connection;
  connection.session = session;
  sessions.add(session);
  const replay = new Replay(services.store, services.catalogue, session, point, (revoltId) => node.track(store.addRevolts(session, [revoltId])));
  const maxBuffered = config.GATEWAY_MAX_BUFFERED_BYTES;
  let live = false;
  try {
    await replay.prepare(stored.revolts);
    // Most of the replay runs beside live delivery, writing as the socket drains...
    const caughtUp = await replay.run(feed.position, async () => {
      if (!connection.open) return false;
      session.flush();
      while (connection.open && connection.bufferedAmount() > maxBuffered / 2) await connection.drained();
      return connection.open;
    });
    // ...and the last stretch inside the dispatch queue, so the session joins live delivery at exactly that point.
    if (caughtUp && connection.open) {
      live = await queue.push(async () => {
        if (!connection.open || !(await replay.run(feed.position)) || !connection.open) return false;
        if (auth.isRevoked(session.authSessionId)) {
          replay.revoked = true;
          return false;
        }
        const { world } = dispatcher;
        for (const revoltId of session.revolts.keys()) if (!world.has(revoltId)) world.adopt(replay.world, revoltId);
        dispatcher.attach(session);
        if (!session.flush()) return true;
        connection.phase = 'ready';
        connection.send(frame(Op.RESUMED, { sessionId: session.id, seq: session.seq }));
        node.online(connection, session.userId);
        return true;
      });
    }
  } finally {
    if (replay.revoked) {
      connection.close(CloseCode.AUTHENTICATION_FAILED, 'token revoked');
      if (session.state !== 'live') {
        sessions.forget(session);
        node.track(store.remove(session.id));
      }
    } else if (!live && session.state !== 'live') {
      connection.close(CloseCode.UNKNOWN_ERROR, 'resume interrupted');
      sessions.release(session);
    }
  }
}

async function claimSession(node: Pick<NodeContext, 'store' | 'control'>, sessionId: string): Promise<ClaimResult> {
  const { store } = node;
  let claim = await store.claim(sessionId);
  if (claim.status !== 'busy') return claim;
  // Another connection (on this node or another) still holds it: ask its node to close it, wait for the release.
  await node.control({ type: 'takeover', sessionId });
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  while (claim.status === 'busy' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    claim = await store.claim(sessionId);
  }
  // Its node did not answer: presumed dead; its last checkpoint is what we have.
  return claim.status === 'busy' ? store.claim(sessionId, true) : claim;
}

/** INVALID_SESSION: the socket is back where it was after HELLO (it may IDENTIFY again). */
function invalidSession(connection: SocketConnection): void {
  connection.phase = 'hello';
  connection.session = undefined;
  connection.helloAt = Date.now();
  connection.send(frame(Op.INVALID_SESSION, false));
}
