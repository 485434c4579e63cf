import { expect } from 'vitest';
import type { GatewayOptions } from '../../src/realtime/gateway.ts';
import { startGatewayServer, type GatewayServer } from './support.ts';

export interface User {
  id: string;
  token: string;
  email: string;
}

/** HTTP commands the realtime tests drive, each returning the position of its last event. */
export function commandsOf(server: GatewayServer) {
  const { api } = server;
  const position = (res: { headers: Record<string, unknown> }) => Number(res.headers['x-event-position']);
  async function ok(method: Parameters<typeof api.request>[0], url: string, token: string, body?: unknown) {
    const res = await api.request(method, url, { token, ...(body !== undefined && { body }) });
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return { body: res.body, position: position(res) };
  }
  return {
    ok,
    async revolt(owner: User, name: string) {
      const { body } = await ok('POST', '/v1/revolts', owner.token, { name });
      const everyone = (body.roles as Array<{ id: string; name: string }>).find((r) => r.name === '@everyone')!.id;
      return { id: body.id as string, general: body.channels[0] as string, invite: body.inviteCode as string, everyone };
    },
    join: (user: User, invite: string) => ok('POST', `/v1/invites/${invite}`, user.token),
    async send(user: User, channelId: string, content: string) {
      const { body, position } = await ok('POST', `/v1/channels/${channelId}/messages`, user.token, { content });
      return { id: body.id as string, position };
    },
    async channel(owner: User, revoltId: string, name: string) {
      const { body } = await ok('POST', `/v1/revolts/${revoltId}/channels`, owner.token, { name });
      return body.id as string;
    },
    overwrite: (owner: User, channelId: string, targetId: string, body: { type: 'role' | 'member'; allow?: string[]; deny?: string[] }) =>
      ok('PUT', `/v1/channels/${channelId}/permissions/${targetId}`, owner.token, body),
    async role(owner: User, revoltId: string, name: string, permissions: string[] = []) {
      const { body } = await ok('POST', `/v1/revolts/${revoltId}/roles`, owner.token, { name, permissions });
      return body.id as string;
    },
    grant: (owner: User, revoltId: string, userId: string, roleId: string) => ok('PUT', `/v1/revolts/${revoltId}/members/${userId}/roles/${roleId}`, owner.token),
    revoke: (owner: User, revoltId: string, userId: string, roleId: string) => ok('DELETE', `/v1/revolts/${revoltId}/members/${userId}/roles/${roleId}`, owner.token),
    kick: (owner: User, revoltId: string, userId: string) => ok('DELETE', `/v1/revolts/${revoltId}/members/${userId}`, owner.token),
    ban: (owner: User, revoltId: string, userId: string) => ok('PUT', `/v1/revolts/${revoltId}/bans/${userId}`, owner.token, {}),
  };
}

export type Commands = ReturnType<typeof commandsOf>;
/** A revolt as `Commands['revolt']` creates it. */
export type Revolt = Awaited<ReturnType<Commands['revolt']>>;

type Accepted = { id: string; position: number; content: string };

/** Sends messages one after another from `user` until `stop()` is called; returns what was accepted. */
export function steadySender(server: GatewayServer, user: User, channelId: string, label: string) {
  const sent: Accepted[] = [];
  let stopped = false;
  let failed: unknown;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const content = `${label} ${i}`;
      const res = await server.api.request('POST', `/v1/channels/${channelId}/messages`, { token: user.token, body: { content } });
      if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
      sent.push({ id: res.body.id, position: Number(res.headers['x-event-position']), content });
    }
  })();
  done.catch((error: unknown) => (failed = error));
  return {
    sent,
    /**
     * Resolves once at least `count` accepted messages match `where` (say, those after some event's position): a
     * condition on the stream, not on how fast this machine happens to send.
     */
    async accepted(count: number, where: (m: Accepted) => boolean = () => true, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (failed) throw failed;
        const n = sent.filter(where).length;
        if (n >= count) return;
        if (stopped || Date.now() > deadline) throw new Error(`${label}: ${n}/${count} matching messages accepted (of ${sent.length})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      stopped = true;
      await done;
      return sent;
    },
  };
}

/**
 * A gateway server (one node unless `nodes` says otherwise) and a revolt: the first of `names` creates it, the others
 * join it by invite, in order.
 */
export async function gatewayCommunity(label: string, revoltName: string, names: string[], env: Record<string, string> = {}, nodes?: GatewayOptions[]) {
  const server = await startGatewayServer(label, env, nodes);
  const cmd = commandsOf(server);
  const users: User[] = await Promise.all(names.map((name) => server.api.register(name)));
  const revolt = await cmd.revolt(users[0]!, revoltName);
  for (const user of users.slice(1)) await cmd.join(user, revolt.invite);
  return { server, cmd, users, revolt };
}
