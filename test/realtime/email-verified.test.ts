import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userStream } from '../../src/commands/users/decide.ts';
import { verificationToken } from '../../src/commands/users/verification-token.ts';
import { gatewayCommunity, type Commands, type Revolt, type User } from './fixture.ts';
import { closeAll, identified, type GatewayClient, type GatewayServer } from './support.ts';

let server: GatewayServer;
let cmd: Commands;
let ada: User;
let bo: User;
let revolt: Revolt;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  let users: User[];
  ({ server, cmd, users, revolt } = await gatewayCommunity('gwverified', 'Verified Rebels', ['ada', 'bo']));
  [ada, bo] = users as [User, User];
});
afterAll(() => closeAll(clients, server));

/** The link registration mailed `user`, as the mail carries it (derived from the request's token id). */
async function registrationToken(user: User): Promise<string> {
  const requested = (await server.server.services.store.readStream(userStream(user.id))).find((e) => e.type === 'EmailVerificationRequested');
  const { tokenId } = requested!.data as { tokenId: string };
  return verificationToken(server.server.services.config.EMAIL_TOKEN_SECRET, user.id, tokenId).token;
}

describe('a verified email on the gateway', () => {
  it("reaches the user's own sockets only", async () => {
    const [{ client: adaSocket }, { client: adaOther }, { client: boSocket }] = await Promise.all([
      identified(clients, server.url(), ada.token),
      identified(clients, server.url(), ada.token),
      identified(clients, server.url(), bo.token),
    ]);
    const verified = await server.api.request('POST', '/v1/auth/verify', { body: { token: await registrationToken(ada) } });
    expect(verified.status, JSON.stringify(verified.body)).toBe(204);

    const [dispatch] = await adaSocket.waitFor(1, (f) => f.t === 'EmailVerified');
    expect(dispatch!.d).toEqual({ userId: ada.id, verifiedAt: expect.any(String) });
    await adaOther.waitFor(1, (f) => f.t === 'EmailVerified');
    // bo shares a revolt with ada and saw a later message, never her verification.
    const later = await cmd.send(ada, revolt.general, 'verified now');
    await boSocket.waitFor(1, (f) => f.t === 'MessageSent' && f.d.messageId === later.id);
    expect(boSocket.of('EmailVerified')).toEqual([]);
  });
});
