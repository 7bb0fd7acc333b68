'use client';

import Link from 'next/link';
import { ApiError, api } from '@/lib/api';
import { useToast } from '@/lib/toast';
import type { Project } from '@/lib/types';
import { projectPath, useProjects } from '@/lib/use-projects';
import { ProjectDot } from './project-dot';

/** Archived projects: each one's page (its tasks are still there) and a way back to the sidebar. */
export function ArchivedProjects() {
  const toast = useToast();
  const { projects, archived, reload } = useProjects();

  async function restore(project: Project) {
    try {
      await api('PATCH /projects/{id}', { params: { id: project.id }, body: { archived: false } });
      await reload();
      toast.show(`Restored “${project.name}”.`);
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not restore the project.');
    }
  }

  return (
    <section className="narrow" aria-labelledby="archived-heading">
      <h1 id="archived-heading">Archived projects</h1>
      {!projects && <p className="muted">Loading projects…</p>}
      {projects && archived.length === 0 && (
        <p className="empty muted">
          No archived projects. Archive one from its settings to tidy the sidebar.
        </p>
      )}
      <ul className="tag-list">
        {archived.map((p) => (
          <li key={p.id} className="card tag-item" data-testid="archived-project">
            <ProjectDot color={p.color} />
            <Link href={projectPath(p)} className="grow">
              {p.name}
            </Link>
            <span className="muted">
              {p.open_count} open task{p.open_count === 1 ? '' : 's'}
            </span>
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Restore ${p.name}`}
              onClick={() => void restore(p)}
            >
              Restore
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
