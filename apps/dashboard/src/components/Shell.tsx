'use client';
// Navigation and the sign-in guard around every page but /signin.
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { signOut } from '../lib/queries';
import { readSession, writeSession, type Session } from '../lib/session';
import styles from './Shell.module.css';

const LINKS = [
  { href: '/queue', label: 'Review queue' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/catalog/music', label: 'Music' },
  { href: '/catalog/originals', label: 'Original works' },
  { href: '/audit', label: 'Audit log' },
];

export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const open = pathname === '/signin';

  useEffect(() => {
    const s = readSession();
    setSession(s);
    if (!s && !open) router.replace(`/signin?next=${encodeURIComponent(pathname)}`);
  }, [pathname, open, router]);

  if (open) return <main className={styles.main}>{children}</main>;
  if (!session) return <main className={styles.main} aria-busy="true" />;

  async function leave() {
    await signOut().catch(() => undefined);
    writeSession(null);
    router.replace('/signin');
  }

  return (
    <>
      <a href="#content" className="sr-only">
        Skip to content
      </a>
      <nav className={styles.nav} aria-label="Main">
        <span className={styles.brand}>undub</span>
        {LINKS.map((l) => (
          <Link
            key={l.href}
            href={l.href}
            prefetch={false}
            aria-current={pathname.startsWith(l.href) ? 'page' : undefined}
          >
            {l.label}
          </Link>
        ))}
        <span className={styles.user}>
          {session.name} · {session.role}
          <button type="button" onClick={leave}>
            Sign out
          </button>
        </span>
      </nav>
      <main id="content" className={styles.main}>
        {children}
      </main>
    </>
  );
}
