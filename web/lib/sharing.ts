'use client';

import { useCallback, useEffect, useState } from 'react';
import { type ApiAnswer, ApiError, api } from './api';
import type { Project } from './types';

/**
 * Sharing as the web reads it: the roles' names, what a role may do on a page, and the signed-in user's
 * pending invitations. The server decides every permission (404 for non-members, 403 for a lesser
 * role); these only keep controls a role cannot use off the screen.
 */

export type Role = Project['role'];
export type Members = ApiAnswer<'GET /projects/{id}/members'>;
export type Member = Members['members'][number];
export type ProjectInvitation = Members['invitations'][number];
export type MyInvitation = ApiAnswer<'GET /invitations'>['items'][number];

export const ROLES: readonly Role[] = ['owner', 'editor', 'viewer'];
/** What an invitation can offer: ownership is given to a member, not to an address. */
export const INVITE_ROLES = ['editor', 'viewer'] as const satisfies readonly Role[];

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', editor: 'Editor', viewer: 'Viewer' };

/** Adds and edits tasks in it (editor and owner); also who can be assigned its tasks. */
export const canWriteTasks = (p: Pick<Project, 'role'>) => p.role !== 'viewer';
/** Renames, recolours, archives it and manages its members. */
export const isOwner = (p: Pick<Project, 'role'>) => p.role === 'owner';
/** Someone else's project the user was let into (the sidebar marks it). */
export const sharedWithMe = (p: Pick<Project, 'role'>) => p.role !== 'owner';

/**
 * The invitations waiting for the signed-in user: loaded when the sidebar mounts (each page) and again
 * when the tab comes back into view, so one sent from elsewhere shows without a reload.
 */
export function useMyInvitations() {
  const [items, setItems] = useState<MyInvitation[]>([]);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setItems((await api('GET /invitations')).items);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your invitations.');
    }
  }, []);

  useEffect(() => {
    void reload();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [reload]);

  return { items, error, reload };
}
