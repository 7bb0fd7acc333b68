'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { type ListView, paramsFromView, viewFromParams } from './list-query';

/** The list's view read from the URL, and a setter that writes a change back (no history entry). */
export function useListView(): [ListView, (patch: Partial<ListView>) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const view = useMemo(() => viewFromParams(new URLSearchParams(params.toString())), [params]);
  const setView = useCallback(
    (patch: Partial<ListView>) => {
      const qs = paramsFromView({ ...view, ...patch });
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [view, router, pathname],
  );
  return [view, setView];
}
