'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useState } from 'react';
import { type SignedIn, useRequiredSession, useSession } from '@/lib/session';
import { newTaskPathFrom } from '@/lib/use-projects';
import { AssistantPanel } from './assistant-panel';
import { KeyboardShortcuts, openShortcutHelp } from './keyboard-shortcuts';
import { NotificationBell } from './notification-bell';
import { Sidebar } from './sidebar';
import { VerifyEmailBanner } from './verify-email-banner';

/** Every signed-in page: header (nav, bell, account), the sidebar, the page, and the assistant. */
export function AppShell({ children }: { children: (session: SignedIn) => ReactNode }) {
  const session = useRequiredSession();
  const { signOut } = useSession();
  const pathname = usePathname();
  // On a phone the sidebar is a menu; it was opened on this page, so following a link closes it.
  const [menuOpenAt, setMenuOpenAt] = useState<string | null>(null);
  const menuOpen = menuOpenAt === pathname;

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
        <button
          type="button"
          className="btn btn-small menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpenAt(menuOpen ? null : pathname)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
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
          <Link href={newTaskPathFrom(pathname)} className="btn btn-primary btn-small" aria-keyshortcuts="n">
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
              <p>
                <button
                  type="button"
                  className="btn btn-small"
                  aria-keyshortcuts="?"
                  onClick={openShortcutHelp}
                >
                  Keyboard shortcuts
                </button>
              </p>
              <button type="button" className="btn" onClick={() => void signOut()}>
                Log out
              </button>
            </div>
          </details>
        </div>
      </header>
      <div className="shell">
        <Sidebar open={menuOpen} />
        <main id="main" className="page">
          {session.user.email_verified === false && <VerifyEmailBanner email={session.user.email} />}
          {children(session)}
        </main>
      </div>
      <AssistantPanel session={session} />
      <KeyboardShortcuts />
    </>
  );
}
