'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { api, toApiError } from '@/lib/api';
import type { SignedIn } from '@/lib/session';
import {
  INVITE_ROLES,
  isOwner,
  type Member,
  type Members,
  ROLE_LABELS,
  ROLES,
  type Role,
} from '@/lib/sharing';
import { useToast } from '@/lib/toast';
import type { Project } from '@/lib/types';
import { useFormSubmit } from '@/lib/use-form-submit';
import { forgetMembers } from '@/lib/use-members';
import { useProjects } from '@/lib/use-projects';
import { FormError, FormField, SubmitButton } from './form-field';

/**
 * "Share": a native modal <dialog> with the project's members and their roles. An owner changes a role,
 * removes a member, withdraws a pending invitation and invites an address; anyone else reads the list
 * and may leave. The server keeps the rules (the last owner stays, 403 for a lesser role): its refusal
 * is shown as the dialog's error, and the list is read again so it shows what holds.
 */
export function ShareProject({ session, project }: { session: SignedIn; project: Project }) {
  const router = useRouter();
  const toast = useToast();
  const { reload: reloadProjects } = useProjects();
  const dialog = useRef<HTMLDialogElement>(null);
  const [members, setMembers] = useState<Members | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const confirmLeave = useRef<HTMLButtonElement>(null);
  // The question replaces the button that asked it: focus goes to its answer, not to the page.
  useEffect(() => {
    if (leaving) confirmLeave.current?.focus();
  }, [leaving]);
  const owner = isOwner(project);
  const me = session.user.id;

  async function load() {
    // Membership may just have changed: the assignee picker and the rows' pills ask again.
    forgetMembers(project.id);
    try {
      setMembers(await api('GET /projects/{id}/members', { params: { id: project.id } }));
    } catch (e) {
      setError(toApiError(e).message);
    }
  }

  async function open() {
    setMembers(null);
    setError(null);
    setLeaving(false);
    dialog.current?.showModal();
    await load();
  }

  /** One change to the members: its refusal becomes the error; the list (and own role) is read again. */
  async function change(send: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    try {
      await send();
      toast.show(done);
    } catch (e) {
      setError(toApiError(e).message);
    } finally {
      await Promise.all([load(), reloadProjects()]);
      setBusy(false);
    }
  }

  const params = (m: Member) => ({ id: project.id, userId: m.user_id });
  const setRole = (m: Member, role: Role) =>
    change(
      () => api('PATCH /projects/{id}/members/{userId}', { params: params(m), body: { role } }),
      `${m.email} is now ${ROLE_LABELS[role].toLowerCase()}.`,
    );
  const remove = (m: Member) =>
    change(
      () => api('DELETE /projects/{id}/members/{userId}', { params: params(m) }),
      `Removed ${m.email} from “${project.name}”.`,
    );

  async function leave() {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE /projects/{id}/members/{userId}', { params: { id: project.id, userId: me } });
      dialog.current?.close();
      toast.show(`You left “${project.name}”.`);
      // Away first: this page would say the project does not exist once the list no longer has it.
      router.push('/inbox');
      await reloadProjects();
    } catch (e) {
      setError(toApiError(e).message);
      setLeaving(false);
    } finally {
      setBusy(false);
    }
  }

  const owners = members?.members.filter((m) => m.role === 'owner').length ?? 0;
  // The last owner cannot leave (the server says so too); anyone else may.
  const mayLeave = !owner || owners > 1;
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => void open()}>
        Share
      </button>
      <dialog ref={dialog} className="confirm share-dialog" aria-modal="true" aria-labelledby="share-title">
        <div className="confirm-body">
          <h2 id="share-title">Share “{project.name}”</h2>
          {error && <FormError>{error}</FormError>}

          <h3 id="share-members" className="share-heading">
            Members
          </h3>
          {!members ? (
            <p className="muted" aria-live="polite">
              Loading members…
            </p>
          ) : (
            <ul className="share-list" aria-labelledby="share-members">
              {members.members.map((m) => (
                <li key={m.user_id} className="share-item" data-testid="share-member">
                  <span className="share-email">
                    {m.email}
                    {m.user_id === me && <span className="muted"> (you)</span>}
                  </span>
                  {owner ? (
                    <>
                      <select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        disabled={busy}
                        onChange={(e) => void setRole(m, e.target.value as Role)}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                      {m.user_id !== me && (
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          aria-label={`Remove ${m.email}`}
                          disabled={busy}
                          onClick={() => void remove(m)}
                        >
                          Remove
                        </button>
                      )}
                    </>
                  ) : (
                    <span className="pill" data-testid="share-role">
                      {ROLE_LABELS[m.role]}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}

          {owner && members && (
            <PendingInvitations
              members={members}
              busy={busy}
              onWithdraw={(inv) =>
                void change(
                  () =>
                    api('DELETE /projects/{id}/invitations/{invitationId}', {
                      params: { id: project.id, invitationId: inv.id },
                    }),
                  `Withdrew the invitation to ${inv.email}.`,
                )
              }
            />
          )}
          {owner && (
            <InviteForm
              project={project}
              onInvited={() => {
                setError(null);
                return load();
              }}
            />
          )}

          <div className="row wrap share-actions">
            {mayLeave &&
              (leaving ? (
                <div className="share-leave">
                  <p>
                    Leave “{project.name}”? You will no longer see it or its tasks until someone invites you
                    again.
                  </p>
                  <div className="row wrap">
                    <button
                      type="button"
                      className="btn btn-danger"
                      disabled={busy}
                      ref={confirmLeave}
                      onClick={() => void leave()}
                    >
                      {busy ? 'Leaving…' : 'Leave'}
                    </button>
                    <button type="button" className="btn" onClick={() => setLeaving(false)}>
                      Stay
                    </button>
                  </div>
                </div>
              ) : (
                <button type="button" className="btn btn-danger" onClick={() => setLeaving(true)}>
                  Leave project
                </button>
              ))}
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </div>
        </div>
      </dialog>
    </>
  );
}

function PendingInvitations({
  members,
  busy,
  onWithdraw,
}: {
  members: Members;
  busy: boolean;
  onWithdraw: (invitation: Members['invitations'][number]) => void;
}) {
  return (
    <>
      <h3 id="share-pending" className="share-heading">
        Pending invitations
      </h3>
      {members.invitations.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul className="share-list" aria-labelledby="share-pending">
          {members.invitations.map((inv) => (
            <li key={inv.id} className="share-item" data-testid="share-invitation">
              <span className="share-email">{inv.email}</span>
              <span className="pill">{ROLE_LABELS[inv.role]}</span>
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Withdraw the invitation to ${inv.email}`}
                disabled={busy}
                onClick={() => onWithdraw(inv)}
              >
                Withdraw
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Invite an address as editor or viewer; the invitation waits for them whether or not they have an account. */
function InviteForm({ project, onInvited }: { project: Project; onInvited: () => Promise<void> }) {
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<(typeof INVITE_ROLES)[number]>('editor');
  const { submit, busy, error } = useFormSubmit(async () => {
    const sent = await api('POST /projects/{id}/invitations', {
      params: { id: project.id },
      body: { email: email.trim(), role },
    });
    setEmail('');
    toast.show(`Invited ${sent.email} as ${ROLE_LABELS[sent.role].toLowerCase()}.`);
    await onInvited();
  });
  return (
    <form className="share-invite" onSubmit={submit} aria-labelledby="share-invite-title">
      <h3 id="share-invite-title" className="share-heading">
        Invite someone
      </h3>
      <div className="row wrap">
        <FormField
          label="Email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={setEmail}
          required
          invalid={Boolean(error?.forField('email'))}
        />
        <label className="field">
          <span>Invite as</span>
          <select value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
            {INVITE_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <FormError>{error.forField('email') ?? error.message}</FormError>}
      <SubmitButton busy={busy}>Send invitation</SubmitButton>
    </form>
  );
}
