'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { TaskForm } from '@/components/task-form';

export default function EditTaskPage() {
  const { id } = useParams<{ id: string }>();
  return (
    <Suspense>
      <AppShell>{(session) => <TaskForm key={id} session={session} taskId={id} />}</AppShell>
    </Suspense>
  );
}
