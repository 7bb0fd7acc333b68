'use client';

import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { TagsPage } from '@/components/tags-page';

export default function TagsRoute() {
  return (
    <Suspense>
      <AppShell>{() => <TagsPage />}</AppShell>
    </Suspense>
  );
}
