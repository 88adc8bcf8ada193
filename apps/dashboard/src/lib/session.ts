// The moderator's session token lives in localStorage and goes to the API as a bearer header.
// A token is per browser profile, so signing out in one tab signs out every tab.
const KEY = 'undub.session';

export interface Session {
  token: string;
  email: string;
  name: string;
  role: 'admin' | 'moderator' | 'client';
}

export function readSession(): Session | null {
  if (typeof window === 'undefined') return null;
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function writeSession(session: Session | null): void {
  if (session) window.localStorage.setItem(KEY, JSON.stringify(session));
  else window.localStorage.removeItem(KEY);
}
