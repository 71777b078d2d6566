'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Card, InlineError, LoadingState, Toggle } from '@/components/ui';
import { api } from '@/lib/api-client';

/** The platform's switch for self-serve sign-up (the login page's "Create a workspace"). */
export function SignupSetting() {
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: ['admin', 'settings'],
    queryFn: ({ signal }) => api.call('admin.settings.get', { signal }),
  });
  const update = useMutation({
    mutationFn: (signupEnabled: boolean) =>
      api.call('admin.settings.update', { body: { signupEnabled } }),
    onSuccess: (next) => {
      queryClient.setQueryData(['admin', 'settings'], next);
      void queryClient.invalidateQueries({ queryKey: ['signup', 'status'] });
    },
  });
  const open = settings.data?.signupEnabled;
  return (
    <Card className="p-5">
      <h2 className="mb-1 font-semibold text-slate-900">Self-serve sign-up</h2>
      {settings.isLoading ? (
        <LoadingState />
      ) : settings.error ? (
        <InlineError error={settings.error} />
      ) : (
        <div className="space-y-3">
          <p className="text-sm text-slate-500">
            {open
              ? 'Anyone can create a workspace after confirming their e-mail address.'
              : 'Closed: only platform admins create workspaces. Links already mailed stop working.'}
          </p>
          <Toggle
            checked={open === true}
            onChange={(next) => update.mutate(next)}
            label={open ? 'Sign-up is open' : 'Sign-up is closed'}
          />
          {update.error ? <InlineError error={update.error} /> : null}
        </div>
      )}
    </Card>
  );
}
