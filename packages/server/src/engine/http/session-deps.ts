import type { SessionDeps } from '../../modules/identity/sessions.service';
import { authSettings, type AuthSettings } from '../../modules/identity/settings';
import type { AppDeps } from './route-handler';

export function nowOf(deps: AppDeps): Date {
  return deps.now?.() ?? new Date();
}

export function settingsOf(deps: AppDeps): AuthSettings {
  return authSettings(deps.auth);
}

export async function sessionDeps(deps: AppDeps): Promise<SessionDeps> {
  return { db: deps.db, tokens: await deps.tokens(), now: nowOf(deps), settings: settingsOf(deps) };
}
