'use client';

import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { useToast } from '@/lib/toast';
import type { TagWithCount } from '@/lib/types';
import { useTags } from '@/lib/use-tags';

/** Tags with how many tasks carry each; rename in place, delete with a confirmation. */
export function TagsPage() {
  const toast = useToast();
  const { tags, error, reload: load } = useTags();
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [newName, setNewName] = useState('');

  async function rename(e: FormEvent, tag: TagWithCount) {
    e.preventDefault();
    try {
      await api('PATCH /tags/{id}', { params: { id: tag.id }, body: { name } });
      setEditing(null);
      toast.show(`Renamed #${tag.name} to #${name.trim()}.`);
      void load();
    } catch (err) {
      toast.show(err instanceof ApiError ? err.message : 'Could not rename the tag.');
    }
  }

  async function remove(tag: TagWithCount) {
    const note = tag.task_count ? ` It will be removed from ${tag.task_count} task(s).` : '';
    if (!window.confirm(`Delete #${tag.name}?${note}`)) return;
    try {
      await api('DELETE /tags/{id}', { params: { id: tag.id } });
      toast.show(`Deleted #${tag.name}.`);
      void load();
    } catch (err) {
      toast.show(err instanceof ApiError ? err.message : 'Could not delete the tag.');
    }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!newName.trim()) return;
    try {
      await api('POST /tags', { body: { name: newName } });
      setNewName('');
      void load();
    } catch (err) {
      toast.show(err instanceof ApiError ? err.message : 'Could not create the tag.');
    }
  }

  return (
    <section className="narrow" aria-labelledby="tags-heading">
      <h1 id="tags-heading">Tags</h1>
      <form className="row" onSubmit={create}>
        <label className="field inline grow">
          <span className="sr-only">New tag name</span>
          <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="New tag name" />
        </label>
        <button type="submit" className="btn" disabled={!newName.trim()}>
          Add tag
        </button>
      </form>
      {error && (
        <div className="alert alert-error" role="alert">
          <p>{error}</p>
          <button type="button" className="btn btn-small" onClick={() => void load()}>
            Try again
          </button>
        </div>
      )}
      {tags?.length === 0 && (
        <p className="empty muted">No tags yet. Add one here, or type one when you create a task.</p>
      )}
      <ul className="tag-list">
        {tags?.map((tag) => (
          <li key={tag.id} className="card tag-item" data-testid="tag-item">
            {editing === tag.id ? (
              <form className="row grow" onSubmit={(e) => rename(e, tag)}>
                <label className="field inline grow">
                  <span className="sr-only">New name for #{tag.name}</span>
                  <input value={name} onChange={(e) => setName(e.target.value)} />
                </label>
                <button type="submit" className="btn btn-small btn-primary">
                  Save
                </button>
                <button type="button" className="btn btn-small" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <Link href={`/?tags=${encodeURIComponent(tag.name)}`} className="grow">
                  #{tag.name}
                </Link>
                <span className="muted" data-testid="tag-count">
                  {tag.task_count} task{tag.task_count === 1 ? '' : 's'}
                </span>
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`Rename #${tag.name}`}
                  onClick={() => {
                    setEditing(tag.id);
                    setName(tag.name);
                  }}
                >
                  Rename
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  aria-label={`Delete #${tag.name}`}
                  onClick={() => remove(tag)}
                >
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
