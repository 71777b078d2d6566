import { audit } from '../../engine/http/audit';
import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { PlatformSettingsRepo } from './platform-settings.repo';

// The platform's switches, for platform admins (today: whether self-serve sign-up is open).

export const platformSettingsHandlers = {
  'admin.settings.get': async ({ c, deps }) => {
    return c.json(await new PlatformSettingsRepo(deps.db).get());
  },

  'admin.settings.update': async ({ c, caller, deps, body }) => {
    const input = await body();
    const repo = new PlatformSettingsRepo(deps.db);
    const before = await repo.get();
    const settings = await repo.put({
      signupEnabled: input.signupEnabled,
      updatedAt: nowOf(deps).toISOString(),
      updatedBy: caller.kind === 'user' ? caller.userId : 'unknown',
    });
    if (before.signupEnabled !== settings.signupEnabled) {
      await audit(
        c,
        caller,
        deps,
        {
          action: settings.signupEnabled ? 'platform.signup_opened' : 'platform.signup_closed',
          details: { signupEnabled: settings.signupEnabled },
        },
        { platform: true },
      );
    }
    return c.json(settings);
  },
} satisfies Partial<HandlerTable>;
