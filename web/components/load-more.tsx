'use client';

import { useEffect, useRef } from 'react';

/**
 * The end of a paged list: a "Load more" button, pressed for you when it scrolls into view (infinite
 * scroll that still works from the keyboard and without IntersectionObserver).
 */
export function LoadMore({ loading, onMore }: { loading: boolean; onMore(): void }) {
  const sentinel = useRef<HTMLLIElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [loading, onMore]);
  return (
    <li ref={sentinel} className="load-more">
      <button type="button" className="btn" disabled={loading} onClick={onMore}>
        {loading ? 'Loading…' : 'Load more'}
      </button>
    </li>
  );
}
