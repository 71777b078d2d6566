'use client';

import { roleAtLeast, type Role } from '@switchboard/contracts';
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import {
  auth,
  currentSession,
  isKnownSignedOut,
  onSessionChange,
  refreshSession,
  type Session,
  type SignInResult,
} from './api-client';

type SessionState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; session: Session };

type SessionApi = {
  state: SessionState;
  /** A session, or a two-factor challenge to complete with `auth.completeTwoFactor`. */
  login(email: string, password: string): Promise<SignInResult>;
  logout(): Promise<void>;
  switchTenant(tenantId: string): Promise<void>;
};

const SessionContext = createContext<SessionApi | null>(null);

function stateOf(session: Session | null): SessionState {
  return session ? { status: 'signed-in', session } : { status: 'signed-out' };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>(() => {
    const existing = currentSession();
    return existing ? stateOf(existing) : { status: 'loading' };
  });

  useEffect(() => {
    const off = onSessionChange((next) => setState(stateOf(next)));
    // A fresh page load has no token in memory: the refresh cookie, if any, brings the session back.
    if (!currentSession() && isKnownSignedOut()) {
      setState({ status: 'signed-out' });
    } else if (!currentSession()) {
      refreshSession().then(
        (s) => setState(stateOf(s)),
        () => setState({ status: 'signed-out' }),
      );
    }
    return () => {
      off();
    };
  }, []);

  const login = useCallback((email: string, password: string) => auth.login(email, password), []);
  const logout = useCallback(async () => {
    await auth.logout();
    queryClient.clear();
  }, [queryClient]);
  const switchTenant = useCallback(
    async (tenantId: string) => {
      await auth.switchTenant(tenantId);
      // Every cached list belongs to the previous workspace.
      queryClient.clear();
    },
    [queryClient],
  );

  const value = useMemo(
    () => ({ state, login, logout, switchTenant }),
    [state, login, logout, switchTenant],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession needs <SessionProvider>');
  return ctx;
}

/** The signed-in session; only call inside the app shell, which renders once signed in. */
export function useSignedIn(): Session {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('Not signed in');
  return state.session;
}

/** The caller's role in the current workspace, ranked as the server ranks it (`roleAtLeast`). */
export function useRole(): { role: Role | undefined; atLeast(role: Role): boolean } {
  const session = useSignedIn();
  const role = session.tenants.find((t) => t.tenantId === session.tenantId)?.role;
  return useMemo(() => ({ role, atLeast: (needed: Role) => roleAtLeast(role, needed) }), [role]);
}
