'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import type { SignedIn } from '@/lib/session';
import { canWriteTasks, isOwner } from '@/lib/sharing';
import { useToast } from '@/lib/toast';
import { PROJECT_COLORS, type Project, type ProjectColor } from '@/lib/types';
import { useFormSubmit } from '@/lib/use-form-submit';
import { newTaskPath, useProjects } from '@/lib/use-projects';
import { FormError, FormField } from './form-field';
import { ShareProject } from './share-dialog';
import { TaskList } from './task-list';

/**
 * A project's page (the Inbox's too): the task list fixed to the project, with the project's settings
 * under its name. `projectId` 'inbox' is the user's Inbox, whatever its id.
 */
export function ProjectPage({ session, projectId }: { session: SignedIn; projectId: string }) {
  const { projects, inbox, byId, error, reload } = useProjects();
  const project = projectId === 'inbox' ? inbox : (byId.get(projectId) ?? null);
  // A project made in another tab since this one loaded the list: ask once more before saying "no such".
  const askedAgain = useRef(false);
  useEffect(() => {
    if (projects && !project && !askedAgain.current) {
      askedAgain.current = true;
      void reload();
    }
  }, [projects, project, reload]);

  if (!project) {
    if (!projects && error) {
      return (
        <div className="alert alert-error" role="alert">
          <p>{error}</p>
          <button type="button" className="btn btn-small" onClick={() => void reload()}>
            Try again
          </button>
        </div>
      );
    }
    if (!projects || !askedAgain.current) return <p className="muted">Loading project…</p>;
    return (
      <div className="alert alert-error" role="alert">
        <p>This project does not exist (or was deleted).</p>
        <Link href="/">Back to tasks</Link>
      </div>
    );
  }
  return (
    <TaskList
      key={project.id}
      session={session}
      project={project}
      toolbar={<ProjectToolbar session={session} project={project} />}
    />
  );
}

/**
 * Under a project's name: a new task in it (not for a viewer), sharing (not the Inbox), and its settings
 * (rename, colour, order, archive, delete), which are the owner's.
 */
function ProjectToolbar({ session, project }: { session: SignedIn; project: Project }) {
  const { active } = useProjects();
  const change = useProjectChange(project);

  if (project.archived_at) {
    if (!isOwner(project)) return null;
    return (
      <div className="alert project-archived">
        <p>This project is archived: its tasks stay, but it is not in the sidebar and takes no new tasks.</p>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => void change({ archived: false }, `Restored “${project.name}”.`)}
        >
          Restore project
        </button>
      </div>
    );
  }
  const others = active.filter((p) => !p.is_inbox);
  const place = others.findIndex((p) => p.id === project.id);
  return (
    <div className="project-toolbar">
      {canWriteTasks(project) && (
        <Link href={newTaskPath(project)} className="btn btn-small">
          + New task in {project.name}
        </Link>
      )}
      {!project.is_inbox && <ShareProject session={session} project={project} />}
      {isOwner(project) && <ProjectSettings project={project} place={place} others={others} />}
    </div>
  );
}

/** One change to the project's settings, then the list again; a refusal is a toast. */
function useProjectChange(project: Project) {
  const toast = useToast();
  const { reload } = useProjects();
  return async (body: { color?: ProjectColor; archived?: boolean; position?: number }, done: string) => {
    try {
      await api('PATCH /projects/{id}', { params: { id: project.id }, body });
      await reload();
      toast.show(done);
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not change the project.');
    }
  };
}

function ProjectSettings({ project, place, others }: { project: Project; place: number; others: Project[] }) {
  const change = useProjectChange(project);
  return (
    <details className="project-settings">
      <summary>Project settings</summary>
      <div className="card project-settings-body">
        {!project.is_inbox && <RenameForm project={project} />}
        <label className="field">
          <span>Colour</span>
          <select
            value={project.color}
            onChange={(e) => {
              const color = e.target.value as ProjectColor;
              void change({ color }, `“${project.name}” is now ${PROJECT_COLORS[color].toLowerCase()}.`);
            }}
          >
            {Object.entries(PROJECT_COLORS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {project.is_inbox ? (
          <p className="muted small">
            The Inbox keeps its name and place, and cannot be archived or deleted.
          </p>
        ) : (
          <div className="row wrap">
            <button
              type="button"
              className="btn btn-small"
              disabled={place <= 0}
              onClick={() => void change({ position: project.position - 1 }, `Moved “${project.name}” up.`)}
            >
              Move up
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={place < 0 || place === others.length - 1}
              onClick={() => void change({ position: project.position + 1 }, `Moved “${project.name}” down.`)}
            >
              Move down
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void change({ archived: true }, `Archived “${project.name}”.`)}
            >
              Archive project
            </button>
            <DeleteProject project={project} />
          </div>
        )}
      </div>
    </details>
  );
}

function RenameForm({ project }: { project: Project }) {
  const toast = useToast();
  const { reload } = useProjects();
  const [name, setName] = useState(project.name);
  const { submit, busy, error } = useFormSubmit(async () => {
    const renamed = await api('PATCH /projects/{id}', { params: { id: project.id }, body: { name } });
    await reload();
    toast.show(`Renamed “${project.name}” to “${renamed.name}”.`);
  });
  return (
    <form className="row wrap" onSubmit={submit} aria-label="Rename project">
      <FormField
        label="Project name"
        value={name}
        onChange={setName}
        required
        maxLength={120}
        invalid={Boolean(error?.forField('name'))}
      />
      <button
        type="submit"
        className="btn btn-small"
        disabled={busy || !name.trim() || name === project.name}
      >
        Rename
      </button>
      {error && <FormError>{error.forField('name') ?? error.message}</FormError>}
    </form>
  );
}

/**
 * Delete, after a confirmation in a native modal <dialog> that says how many tasks go with the project
 * (its open count, and its done tasks, counted when the dialog opens).
 */
function DeleteProject({ project }: { project: Project }) {
  const router = useRouter();
  const toast = useToast();
  const { reload } = useProjects();
  const dialog = useRef<HTMLDialogElement>(null);
  const [done, setDone] = useState<{ count: number; more: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function open() {
    setDone(null);
    dialog.current?.showModal();
    try {
      const page = await api('GET /tasks', {
        query: { project: project.id, status: 'done', limit: '200' },
      });
      setDone({ count: page.items.length, more: page.next_cursor !== null });
    } catch {
      setDone({ count: 0, more: true });
    }
  }

  async function remove() {
    setBusy(true);
    try {
      await api('DELETE /projects/{id}', { params: { id: project.id } });
      dialog.current?.close();
      toast.show(`Deleted “${project.name}” and its tasks.`);
      await reload();
      router.push('/inbox');
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not delete the project.');
      setBusy(false);
    }
  }

  const total = done && project.open_count + done.count;
  const tasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;
  return (
    <>
      <button type="button" className="btn btn-small btn-danger" onClick={() => void open()}>
        Delete project
      </button>
      <dialog ref={dialog} className="confirm" aria-modal="true" aria-labelledby="delete-project-title">
        <div className="confirm-body">
          <h2 id="delete-project-title">Delete “{project.name}”?</h2>
          <p aria-live="polite" data-testid="delete-project-count">
            {total === null
              ? 'Counting its tasks…'
              : total === 0 && !done?.more
                ? 'It has no tasks.'
                : `Its ${done?.more ? 'more than ' : ''}${tasks(total)} (${project.open_count} open) will be deleted with it.`}
          </p>
          <p className="muted small">This cannot be undone.</p>
          <div className="row wrap">
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy || !done}
              onClick={() => void remove()}
            >
              {busy ? 'Deleting…' : 'Delete project and its tasks'}
            </button>
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </div>
      </dialog>
    </>
  );
}
