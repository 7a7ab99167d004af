/** Who is signed in, and whether they may write (admins and engineers; viewers read only). */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { canWrite, getSession, onSessionChange, setSession, type Session, type SessionUser } from '../api/session';

interface Auth {
  user: SessionUser | null;
  canWrite: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setState] = useState<Session | null>(getSession);
  useEffect(() => onSessionChange(setState), []);
  const value = useMemo<Auth>(() => ({
    user: session?.user ?? null,
    canWrite: canWrite(session?.user),
    async login(username, password) {
      const res = await unwrap(api.POST('/api/auth/login', { body: { username, password } }));
      setSession({ token: res.accessToken, user: res.user });
    },
    logout() {
      // Revoke the token on the server first (best effort), then forget it here.
      void api.POST('/api/auth/logout').finally(() => setSession(null));
    },
  }), [session]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** Renders its children only for users who may write: viewers see no write buttons. */
export function CanWrite({ children }: { children: ReactNode }) {
  return useAuth().canWrite ? <>{children}</> : null;
}
