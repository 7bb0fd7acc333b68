'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api';
import type { TagWithCount } from './types';

/**
 * The user's tags with their task counts: loaded once per mount, `reload` after a change. The one place
 * the web loads tags (the list's filters, the form's picker, the tags page).
 */
export function useTags() {
  const [tags, setTags] = useState<TagWithCount[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setTags((await api('GET /tags')).items);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load tags.');
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { tags, error, reload };
}
