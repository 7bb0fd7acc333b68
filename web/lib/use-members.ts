'use client';

import { useEffect, useState } from 'react';
import { api } from './api';
import type { Member } from './sharing';

/**
 * The members of a project, for the assignee picker and the rows' "assigned to" pills: loaded once per
 * project per page (every row of a list shares one request) and forgotten when membership may have
 * changed (the share dialog calls forgetMembers). A project the user cannot read lists nobody.
 */
const cache = new Map<string, Promise<Member[]>>();

export function membersOf(projectId: string): Promise<Member[]> {
  let members = cache.get(projectId);
  if (!members) {
    members = api('GET /projects/{id}/members', { params: { id: projectId } })
      .then((r) => r.members)
      .catch(() => {
        cache.delete(projectId);
        return [];
      });
    cache.set(projectId, members);
  }
  return members;
}

export const forgetMembers = (projectId: string) => cache.delete(projectId);

/** How a person is named on a page: "you", else their email. */
export const personName = (m: Pick<Member, 'user_id' | 'email'>, me: string | undefined) =>
  m.user_id === me ? 'you' : m.email;

/** The members of `projectId` (null while loading, or when there is no project to ask about). */
export function useMembers(projectId: string | undefined): Member[] | null {
  const [members, setMembers] = useState<Member[] | null>(null);
  useEffect(() => {
    if (!projectId) {
      setMembers(null);
      return;
    }
    let live = true;
    void membersOf(projectId).then((m) => live && setMembers(m));
    return () => {
      live = false;
    };
  }, [projectId]);
  return members;
}
