'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { type SignedIn, useRequiredSession, useSession } from '@/lib/session';
import { AssistantPanel } from './assistant-panel';
import { NotificationBell } from './notification-bell';
import { VerifyEmailBanner } from './verify-email-banner';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.tagName === 'INPUT') {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes((el as HTMLInputElement).type);
  }
  return el.isContentEditable || ['TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** Global keys: `n` opens a new task, `/` jumps to search (as in Gmail, GitHub, Todoist). */
function useShortcuts() {
  const router = useRouter();
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === 'n') {
        e.preventDefault();
        router.push('/tasks/new');
      } else if (e.key === '/') {
        e.preventDefault();
        const search = document.getElementById('search');
        if (search) search.focus();
        else router.push('/?focus=search');
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router]);
}

/** Every signed-in page: header (nav, bell, account), the page, and the assistant. */
export function AppShell({ children }: { children: (session: SignedIn) => ReactNode }) {
  const session = useRequiredSession();
  const { signOut } = useSession();
  const pathname = usePathname();
  useShortcuts();

  if (!session) {
    return (
      <main className="page">
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      </main>
    );
  }
  const nav = [
    { href: '/', label: 'Tasks' },
    { href: '/tags', label: 'Tags' },
  ];

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          <span aria-hidden="true">✓</span> Todo
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={pathname === item.href ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-actions">
          <Link href="/tasks/new" className="btn btn-primary btn-small" aria-keyshortcuts="n">
            + New task
          </Link>
          <NotificationBell />
          <details className="account">
            <summary aria-label={`Account: ${session.user.email}`}>
              <span aria-hidden="true">{session.user.email.slice(0, 1).toUpperCase()}</span>
            </summary>
            <div className="menu">
              <p className="muted small">{session.user.email}</p>
              <p className="muted small">Time zone: {session.user.time_zone}</p>
              <p>
                <Link href="/account">Account and security</Link>
              </p>
              <button type="button" className="btn" onClick={() => void signOut()}>
                Log out
              </button>
            </div>
          </details>
        </div>
      </header>
      <main id="main" className="page">
        {session.user.email_verified === false && <VerifyEmailBanner email={session.user.email} />}
        {children(session)}
      </main>
      <AssistantPanel session={session} />
    </>
  );
}
