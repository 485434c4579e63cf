import type { VoiceClient } from '../../voice/signalling/socket-voice.ts';
import type { SocketConnection } from '../connection.ts';
import { CloseCode, frame, Op } from '../protocol.ts';
import type { NodeContext } from './context.ts';

/** The socket as voice signalling sees it: its answers and events framed as VOICE_RESPONSE and VOICE_EVENT. */
export const voiceClient = (connection: SocketConnection): VoiceClient => ({
  id: connection.id,
  respond: (response) => connection.send(frame(Op.VOICE_RESPONSE, response)),
  push: (event) => connection.send(frame(Op.VOICE_EVENT, event)),
});

/** VOICE_REQUEST: handed to voice signalling, which answers it (before READY/RESUMED, with `not_ready`). */
export function voiceRequest(node: Pick<NodeContext, 'voice'>, connection: SocketConnection, d: unknown): void {
  if (connection.phase === 'hello') return connection.close(CloseCode.NOT_AUTHENTICATED, 'not authenticated');
  node.voice.request(voiceClient(connection), connection.phase === 'ready' ? connection.session?.userId : undefined, d);
}
