import { expect } from 'vitest';
import type { TestApi, TestUser } from './stack.ts';

/** The calls the sharing tests make through the gateway: a checked call, a status, and "share with". */
export function sharingCalls(api: TestApi) {
  /** The call's body, after checking its status (201 for a POST, else 200, unless given). */
  async function ok<T = any>(
    user: TestUser,
    method: string,
    path: string,
    body?: unknown,
    status = method === 'POST' ? 201 : 200,
  ): Promise<T> {
    const res = await api.json(method, path, { token: user.token, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  }

  const statusOf = async (user: TestUser, method: string, path: string, body?: unknown) =>
    (await api.json(method, path, { token: user.token, body })).status;

  /** The owner invites the member (by their address in capitals: addresses match in any case), who accepts. */
  async function share(owner: TestUser, projectId: string, member: TestUser, role: 'editor' | 'viewer') {
    const invitation = await ok(owner, 'POST', `/api/v1/projects/${projectId}/invitations`, {
      email: member.email.toUpperCase(),
      role,
    });
    await ok(member, 'POST', `/api/v1/invitations/${invitation.id}/accept`, undefined, 200);
    return invitation;
  }

  return { ok, statusOf, share };
}
