'use client';

import { useState } from 'react';
import { api, toApiError } from '@/lib/api';
import { type MyInvitation, ROLE_LABELS, useMyInvitations } from '@/lib/sharing';
import { useToast } from '@/lib/toast';
import { useProjects } from '@/lib/use-projects';
import { FormError } from './form-field';

/**
 * The top of the sidebar while someone has invited the user to a project: who, which project, which
 * role, with Accept and Decline. Accepting reloads the projects, so the project joins the sidebar.
 * Nothing at all when there are none.
 */
export function SidebarInvitations() {
  const { items, reload } = useMyInvitations();
  const { reload: reloadProjects } = useProjects();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function answer(invitation: MyInvitation, accept: boolean) {
    setBusy(invitation.id);
    setError(null);
    try {
      const params = { id: invitation.id };
      if (accept) await api('POST /invitations/{id}/accept', { params });
      else await api('POST /invitations/{id}/decline', { params });
      await Promise.all([reload(), accept ? reloadProjects() : undefined]);
      toast.show(
        accept
          ? `You joined “${invitation.project_name}” as ${ROLE_LABELS[invitation.role].toLowerCase()}.`
          : `Declined the invitation to “${invitation.project_name}”.`,
      );
    } catch (e) {
      setError(toApiError(e).message);
      await reload();
    } finally {
      setBusy(null);
    }
  }

  if (items.length === 0 && !error) return null;
  return (
    <section className="side-invitations" aria-labelledby="side-invitations">
      <h2 id="side-invitations" className="side-heading">
        Invitations
      </h2>
      {error && <FormError>{error}</FormError>}
      <ul className="side-invitation-list">
        {items.map((inv) => (
          <li key={inv.id} className="side-invitation" data-testid="invitation">
            <p>
              {inv.invited_by} invited you to <strong>{inv.project_name}</strong> as{' '}
              {ROLE_LABELS[inv.role].toLowerCase()}
            </p>
            <div className="row">
              <button
                type="button"
                className="btn btn-small btn-primary"
                disabled={busy !== null}
                onClick={() => void answer(inv, true)}
              >
                Accept
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={busy !== null}
                onClick={() => void answer(inv, false)}
              >
                Decline
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
