'use client';

import { useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { isFiltered, type ListView } from '@/lib/list-query';
import { LABELS, PRIORITIES, STATUSES, type TagWithCount } from '@/lib/types';

interface FilterProps {
  view: ListView;
  setView(patch: Partial<ListView>): void;
}

const SORT_LABELS: Record<ListView['sort'], string> = {
  created_at: 'Created',
  due_date: 'Due date',
  priority: 'Priority',
  title: 'Title',
};

const CLEARED: Partial<ListView> = {
  q: '',
  status: [],
  priority: [],
  tags: [],
  due: '',
  from: '',
  to: '',
  assigned: '',
};

function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** The list's search box, filters and their reset: every choice goes to the URL. */
export function TaskFilters({ view, setView, tags }: FilterProps & { tags: TagWithCount[] }) {
  const [searchText, setSearchText] = useState(view.q);
  const [open, setOpen] = useState(true);
  const params = useSearchParams();

  // Search as you type, without a history entry per keystroke.
  useEffect(() => setSearchText(view.q), [view.q]);
  useEffect(() => {
    if (searchText === view.q) return;
    const t = setTimeout(() => setView({ q: searchText.trim() }), 300);
    return () => clearTimeout(t);
  }, [searchText, view.q, setView]);

  // On a phone the filters start folded (unless some are set) so the tasks come first.
  const filteredAtLoad = useRef(isFiltered(view));
  useEffect(() => {
    if (window.matchMedia('(max-width: 760px)').matches && !filteredAtLoad.current) setOpen(false);
  }, []);

  useEffect(() => {
    if (params.get('focus') === 'search') document.getElementById('search')?.focus();
  }, [params]);

  return (
    <section className="list-controls" aria-label="Search, filter and sort">
      <search>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setView({ q: searchText.trim() });
          }}
        >
          <label className="field">
            <span>Search</span>
            <input
              id="search"
              type="search"
              placeholder="Title, description or tag  ( / )"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              aria-keyshortcuts="/"
            />
          </label>
        </form>
      </search>
      <details className="filters" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Filters</summary>
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={view.status.includes(s)}
                onChange={() => setView({ status: toggle(view.status, s) })}
              />
              {LABELS.status[s]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Priority</legend>
          {PRIORITIES.map((p) => (
            <label key={p} className="check">
              <input
                type="checkbox"
                checked={view.priority.includes(p)}
                onChange={() => setView({ priority: toggle(view.priority, p) })}
              />
              {LABELS.priority[p]}
            </label>
          ))}
        </fieldset>
        <DueFilter view={view} setView={setView} />
        <fieldset>
          <legend>Assignee</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={view.assigned === 'me'}
              onChange={(e) => setView({ assigned: e.target.checked ? 'me' : '' })}
            />
            Assigned to me
          </label>
        </fieldset>
        {tags.length > 0 && (
          <fieldset>
            <legend>Tags</legend>
            <div className="tag-filter">
              {tags.map((t) => (
                <label key={t.id} className="check">
                  <input
                    type="checkbox"
                    checked={view.tags.includes(t.name)}
                    onChange={() => setView({ tags: toggle(view.tags, t.name) })}
                  />
                  #{t.name}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {isFiltered(view) && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setSearchText('');
              setView(CLEARED);
            }}
          >
            Clear filters
          </button>
        )}
      </details>
    </section>
  );
}

function DueFilter({ view, setView }: FilterProps) {
  return (
    <fieldset>
      <legend>Due</legend>
      <label className="field">
        <span className="sr-only">Due</span>
        <select value={view.due} onChange={(e) => setView({ due: e.target.value as ListView['due'] })}>
          <option value="">Any time</option>
          <option value="overdue">Overdue</option>
          <option value="today">Today</option>
          <option value="week">This week</option>
          <option value="range">Date range…</option>
        </select>
      </label>
      {view.due === 'range' && (
        <div className="row">
          <label className="field">
            <span>From</span>
            <input type="date" value={view.from} onChange={(e) => setView({ from: e.target.value })} />
          </label>
          <label className="field">
            <span>To</span>
            <input type="date" value={view.to} onChange={(e) => setView({ to: e.target.value })} />
          </label>
        </div>
      )}
    </fieldset>
  );
}

/** Sort field and direction ("natural" is each field's own default order). */
export function SortControls({ view, setView }: FilterProps) {
  return (
    <div className="row">
      <label className="field inline">
        <span>Sort by</span>
        <select
          id="sort"
          value={view.sort}
          onChange={(e) => setView({ sort: e.target.value as ListView['sort'] })}
        >
          {Object.entries(SORT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <span>Order</span>
        <select value={view.order} onChange={(e) => setView({ order: e.target.value as ListView['order'] })}>
          <option value="">Natural</option>
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </select>
      </label>
    </div>
  );
}
