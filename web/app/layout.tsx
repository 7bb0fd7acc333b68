import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SubtaskChoiceProvider } from '@/components/subtask-choice-dialog';
import { SessionProvider } from '@/lib/session';
import { ToastProvider } from '@/lib/toast';
import './globals.css';

export const metadata: Metadata = {
  title: 'Todo',
  description: 'Tasks with priorities, tags, recurrence and reminders.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProvider>
          <ToastProvider>
            <SubtaskChoiceProvider>{children}</SubtaskChoiceProvider>
          </ToastProvider>
        </SessionProvider>
      </body>
    </html>
  );
}
