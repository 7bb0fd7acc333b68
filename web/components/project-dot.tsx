'use client';

import Link from 'next/link';
import type { Project } from '@/lib/types';
import { projectPath } from '@/lib/use-projects';

/** A project's name with its colour dot, linking to its list. */
export function ProjectPill({ project }: { project: Project }) {
  return (
    <Link href={projectPath(project)} className="pill project-pill" data-testid="task-project">
      <ProjectDot color={project.color} />
      {project.name}
    </Link>
  );
}

/** The colour dot of a project (decoration: the name beside it says which project it is). */
export function ProjectDot({ color }: { color: Project['color'] }) {
  return <span className={`project-dot project-${color}`} aria-hidden="true" />;
}
