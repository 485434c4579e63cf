import { randomBytes } from 'node:crypto';
import { userDecider, userStream } from '../../commands/users/decide.ts';
import type { SocketConnection } from '../connection.ts';
import { CloseCode, type ClientFrameOf } from '../protocol.ts';
import type { NodeContext } from './context.ts';

/** PRESENCE_UPDATE: the user's status, recorded as PUT /v1/users/@me/status records it. */
export function updatePresence(node: Pick<NodeContext, 'nodeId' | 'services' | 'log' | 'track'>, connection: SocketConnection, { status }: ClientFrameOf<'PRESENCE_UPDATE'>['d']): void {
  // Fine before READY/RESUMED arrives too, once the token (or session) has been accepted.
  if (!connection.session) {
    if (connection.phase === 'hello') connection.close(CloseCode.NOT_AUTHENTICATED, 'not authenticated');
    return;
  }
  const { userId } = connection.session;
  const context = { actorId: userId, correlationId: `gateway-${node.nodeId}`, causationId: `gateway-${randomBytes(6).toString('hex')}` };
  node.track(
    node.services.commands
      .execute(userStream(userId), userDecider, { type: 'SetStatus', status, at: new Date().toISOString() }, context)
      .catch((error) => node.log.warn({ err: error }, 'gateway status update failed')),
  );
}
