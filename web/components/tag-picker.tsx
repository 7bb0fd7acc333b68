'use client';

import { type KeyboardEvent, useId, useState } from 'react';
import type { TagWithCount } from '@/lib/types';

interface TagPickerProps {
  value: string[];
  onChange(names: string[]): void;
  available: TagWithCount[];
}

/** Pick existing tags or type a new one (created when the task is saved); remove with the × on a chip. */
export function TagPicker({ value, onChange, available }: TagPickerProps) {
  const [text, setText] = useState('');
  const listId = useId();
  const inputId = useId();
  const lower = value.map((v) => v.toLowerCase());

  function add(raw: string) {
    const name = raw.trim().replace(/^#/, '');
    if (!name) return;
    const existing = available.find((t) => t.name.toLowerCase() === name.toLowerCase());
    const finalName = existing?.name ?? name;
    if (!lower.includes(finalName.toLowerCase())) onChange([...value, finalName]);
    setText('');
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      add(text);
    } else if (e.key === 'Backspace' && !text && value.length) {
      onChange(value.slice(0, -1));
    }
  }

  const suggestions = available.filter((t) => !lower.includes(t.name.toLowerCase()));
  const isNew = text.trim() && !available.some((t) => t.name.toLowerCase() === text.trim().toLowerCase());
  return (
    <div className="field">
      <label htmlFor={inputId}>Tags</label>
      <div className="tag-picker">
        <ul className="chips" aria-label="Selected tags">
          {value.map((name) => (
            <li key={name} className="chip">
              #{name}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove tag ${name}`}
                onClick={() => onChange(value.filter((v) => v !== name))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          id={inputId}
          list={listId}
          value={text}
          placeholder={value.length ? 'Add another tag' : 'Type a tag and press Enter'}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          aria-describedby={`${inputId}-hint`}
        />
        <datalist id={listId}>
          {suggestions.map((t) => (
            <option key={t.id} value={t.name} />
          ))}
        </datalist>
        <button type="button" className="btn btn-small" onClick={() => add(text)} disabled={!text.trim()}>
          {isNew ? 'Create tag' : 'Add tag'}
        </button>
      </div>
      <small id={`${inputId}-hint`} className="muted">
        Enter adds a tag; new names are created when you save.
      </small>
      {suggestions.length > 0 && (
        <fieldset className="tag-suggestions">
          <legend className="sr-only">Existing tags</legend>
          {suggestions.slice(0, 12).map((t) => (
            <button key={t.id} type="button" className="pill tag as-button" onClick={() => add(t.name)}>
              + #{t.name}
            </button>
          ))}
        </fieldset>
      )}
    </div>
  );
}
