// A voice node in its own process, for the cluster test: VoiceMedia with Redis, driven over IPC.
//   env: VOICE_TEST_NODE_ID, REDIS_URL, REDIS_PREFIX, VOICE_TEST_HEARTBEAT_MS
//   messages in: {id, cmd: 'speak' | 'receive' | 'packets' | 'stats', channelId?, userId?}; out: {id, result} or {id, error}
import { Redis } from 'ioredis';
import { PlainTransportParticipant, startMedia } from './participants.ts';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const media = await startMedia({
  nodeId: process.env.VOICE_TEST_NODE_ID!,
  redis,
  redisPrefix: process.env.REDIS_PREFIX!,
  heartbeatMs: Number(process.env.VOICE_TEST_HEARTBEAT_MS ?? 2000),
});
const peers = new Map<string, PlainTransportParticipant>();

type Command = { id: number; cmd: string; channelId?: string; userId?: string };

process.on('message', (message: Command) => {
  void (async () => {
    const { channelId = '', userId = '' } = message;
    switch (message.cmd) {
      case 'speak': {
        const peer = await PlainTransportParticipant.join(media, channelId, userId);
        peers.set(userId, peer);
        return peer.speak();
      }
      case 'receive':
        peers.set(userId, await PlainTransportParticipant.join(media, channelId, userId, { receive: true }));
        return null;
      case 'packets':
        return peers.get(userId)?.sink?.packets ?? 0;
      case 'stats':
        return media.roomStats();
      default:
        throw new Error(`unknown command ${message.cmd}`);
    }
  })().then(
    (result) => process.send!({ id: message.id, result }),
    (error: Error) => process.send!({ id: message.id, error: error.message }),
  );
});
process.send!({ ready: true });
