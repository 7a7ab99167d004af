/** The signed-in session: a JWT and the user it was issued to, kept in localStorage. */
export interface SessionUser {
  id: number;
  username: string;
  role: 'admin' | 'engineer' | 'viewer';
}
export interface Session {
  token: string;
  user: SessionUser;
}

const KEY = 'loadstar.session';
type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = read();

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(next: Session | null): void {
  current = next;
  try {
    if (next) localStorage.setItem(KEY, JSON.stringify(next));
    else localStorage.removeItem(KEY);
  } catch {
    // storage unavailable: the session lives until the tab closes
  }
  listeners.forEach((l) => l(next));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function canWrite(user: SessionUser | null | undefined): boolean {
  return user?.role === 'admin' || user?.role === 'engineer';
}
