import { pino } from 'pino';
import { VoiceMedia } from '../../src/voice/media/index.ts';
import { commandsOf, type User } from '../realtime/fixture.ts';
import { GatewayClient, startGatewayServer, type Frame } from '../realtime/support.ts';

/** A test server (isolated engines, in-process API) with one gateway node running voice media (one worker, free ports). */
export async function startVoiceServer(label: string, env: Record<string, string> = {}) {
  const media = await VoiceMedia.start({ nodeId: `test-${label}`, logger: pino({ level: process.env.VOICE_TEST_LOG ?? 'silent' }), workers: 1, rtcPort: 0 });
  try {
    const server = await startGatewayServer(label, env, [{ voice: media }]);
    return {
      ...server,
      media,
      async close() {
        await server.close();
        await media.close();
      },
    };
  } catch (error) {
    await media.close();
    throw error;
  }
}

export type VoiceServer = Awaited<ReturnType<typeof startVoiceServer>>;

/** An owner and a member of one revolt with a voice channel (created with `settings`). */
export async function voiceRevolt(server: VoiceServer, settings: Record<string, unknown> = {}) {
  const cmd = commandsOf(server);
  const owner: User = await server.api.register('owner');
  const member: User = await server.api.register('member');
  const revolt = await cmd.revolt(owner, 'Voice revolt');
  await cmd.join(member, revolt.invite);
  const { body } = await cmd.ok('POST', `/v1/revolts/${revolt.id}/channels`, owner.token, { name: 'Lounge', type: 'voice', settings });
  return { cmd, owner, member, revolt, voiceChannel: body.id as string };
}

export interface VoiceResponse {
  id: number;
  ok: boolean;
  data?: any;
  error?: { code: string; message: string; details?: unknown };
}

/** A gateway client speaking voice signalling: numbered VOICE_REQUESTs, their VOICE_RESPONSEs, VOICE_EVENTs. */
export class VoiceSocket {
  private nextId = 1;

  constructor(readonly client: GatewayClient) {}

  static async identify(url: string, token: string): Promise<VoiceSocket> {
    const { client, ready } = await GatewayClient.identify(url, token);
    if (ready.op !== 'READY') throw new Error(`no READY: ${ready.op}`);
    return new VoiceSocket(client);
  }

  /** Sends a request and waits for its response (ok or not). */
  async request(method: string, data?: unknown): Promise<VoiceResponse> {
    const id = this.nextId++;
    this.client.send('VOICE_REQUEST', { id, method, data });
    const response = await this.client.next((f) => f.op === 'VOICE_RESPONSE' && f.d?.id === id);
    return response.d as VoiceResponse;
  }

  /** A request that must succeed: its data. */
  async ok(method: string, data?: unknown): Promise<any> {
    const response = await this.request(method, data);
    if (!response.ok) throw new Error(`${method}: ${JSON.stringify(response.error)}`);
    return response.data;
  }

  events(type?: string): Array<{ type: string; data: any }> {
    return this.client.frames.filter((f: Frame) => f.op === 'VOICE_EVENT' && (!type || f.d.type === type)).map((f) => f.d);
  }

  async event(type: string, where: (data: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
    const found = await this.client.next((f) => f.op === 'VOICE_EVENT' && f.d.type === type && where(f.d.data), timeoutMs);
    return found.d.data;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
