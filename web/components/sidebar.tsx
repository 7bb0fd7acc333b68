'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/lib/api';
import { ROLE_LABELS, sharedWithMe } from '@/lib/sharing';
import { useToast } from '@/lib/toast';
import type { Project } from '@/lib/types';
import { useFormSubmit } from '@/lib/use-form-submit';
import { projectPath, useProjects } from '@/lib/use-projects';
import { FormError, FormField, SubmitButton } from './form-field';
import { ProjectDot } from './project-dot';
import { SidebarInvitations } from './sidebar-invitations';

/**
 * The signed-in pages' sidebar: the user's pending invitations (when there are any), Inbox, Today,
 * Upcoming, then the projects in order with their open counts (a shared one marked so), adding a
 * project, and the archived ones. Beside the page on a wide screen; on a phone the
 * header's Menu button shows it above the page (`open`).
 */
export function Sidebar({ open }: { open: boolean }) {
  const pathname = usePathname();
  const { projects, active, archived, inbox, error, reload } = useProjects();
  const current = (href: string) => (pathname === href ? 'page' : undefined);
  const others = active.filter((p) => !p.is_inbox);

  return (
    <nav id="sidebar" className="sidebar" data-open={open} aria-label="Lists">
      <SidebarInvitations />
      <ul className="side-list">
        <li>
          <Link href="/inbox" aria-current={current('/inbox')}>
            <span className="side-name">Inbox</span>
            <OpenCount count={inbox?.open_count ?? 0} />
          </Link>
        </li>
        <li>
          <Link href="/today" aria-current={current('/today')}>
            <span className="side-name">Today</span>
          </Link>
        </li>
        <li>
          <Link href="/upcoming" aria-current={current('/upcoming')}>
            <span className="side-name">Upcoming</span>
          </Link>
        </li>
      </ul>

      <h2 id="side-projects" className="side-heading">
        Projects
      </h2>
      {error && !projects && (
        <p className="muted small">
          Could not load projects.{' '}
          <button type="button" className="btn btn-small" onClick={() => void reload()}>
            Try again
          </button>
        </p>
      )}
      <ul className="side-list" aria-labelledby="side-projects">
        {others.map((p) => (
          <li key={p.id} data-testid="sidebar-project">
            <Link href={projectPath(p)} aria-current={current(projectPath(p))}>
              <ProjectDot color={p.color} />
              <span className="side-name">{p.name}</span>
              {sharedWithMe(p) && <SharedMark role={p.role} />}
              <OpenCount count={p.open_count} />
            </Link>
          </li>
        ))}
      </ul>
      {projects && others.length === 0 && <p className="muted small side-note">No projects yet.</p>}
      <AddProject />
      <p className="side-note">
        <Link href="/projects/archived" aria-current={current('/projects/archived')} className="small">
          Archived projects{archived.length > 0 ? ` (${archived.length})` : ''}
        </Link>
      </p>
    </nav>
  );
}

/** A list's open tasks; nothing when there are none (as Todoist does). Read out as "(3 open)". */
function OpenCount({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="side-count">
      <span className="sr-only"> (</span>
      <span data-testid="open-count">{count}</span>
      <span className="sr-only"> open)</span>
    </span>
  );
}

/** Someone else's project: "shared", read out with the user's role in it. */
function SharedMark({ role }: { role: Project['role'] }) {
  return (
    <span className="side-shared" data-testid="shared-mark">
      shared<span className="sr-only"> with you, {ROLE_LABELS[role].toLowerCase()}</span>
    </span>
  );
}

/** "Add project": a name, then the new project's page. */
function AddProject() {
  const router = useRouter();
  const toast = useToast();
  const { reload } = useProjects();
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const { submit, busy, error } = useFormSubmit(async () => {
    const created = await api('POST /projects', { body: { name } });
    await reload();
    setAdding(false);
    setName('');
    toast.show(`Created the project “${created.name}”.`);
    router.push(projectPath(created));
  });

  if (!adding) {
    return (
      <button type="button" className="btn btn-small side-add" onClick={() => setAdding(true)}>
        + Add project
      </button>
    );
  }
  return (
    <form className="side-add-form" onSubmit={submit} aria-label="Add project">
      <FormField
        label="New project name"
        value={name}
        onChange={setName}
        required
        maxLength={120}
        autoFocus
        invalid={Boolean(error?.forField('name'))}
      />
      {error && <FormError>{error.forField('name') ?? error.message}</FormError>}
      <div className="row">
        <SubmitButton busy={busy}>Create project</SubmitButton>
        <button type="button" className="btn" onClick={() => setAdding(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
