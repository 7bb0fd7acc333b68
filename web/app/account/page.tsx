'use client';

import { Suspense } from 'react';
import { AccountPage } from '@/components/account-page';
import { AppShell } from '@/components/app-shell';

export default function AccountRoute() {
  return (
    <Suspense>
      <AppShell>{(session) => <AccountPage session={session} />}</AppShell>
    </Suspense>
  );
}
