'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { CheckIcon, CloseIcon } from '@/components/icons';
import { Card, cx } from '@/components/ui';
import { api } from '@/lib/api-client';
import { useRole, useSignedIn } from '@/lib/session';

// The first steps of a new workspace, for its owner: each ticked from the workspace's own data
// (the list routes the settings pages already read), each linking to where it is done. Dismissed
// per workspace in this browser.

const dismissedKey = (tenantId: string) => `switchboard.onboarding.dismissed.${tenantId}`;

function useDismissed(tenantId: string | undefined): [boolean, () => void] {
  const [dismissed, setDismissed] = useState(true);
  useEffect(() => {
    if (!tenantId) return;
    setDismissed(window.localStorage.getItem(dismissedKey(tenantId)) === '1');
  }, [tenantId]);
  return [
    dismissed,
    () => {
      if (tenantId) window.localStorage.setItem(dismissedKey(tenantId), '1');
      setDismissed(true);
    },
  ];
}

export function OnboardingChecklist() {
  const session = useSignedIn();
  const { role } = useRole();
  const owner = role === 'owner';
  const [dismissed, dismiss] = useDismissed(session.tenantId);
  const enabled = owner && !dismissed;
  const channels = useQuery({
    queryKey: ['onboarding', 'channels'],
    queryFn: ({ signal }) => api.call('channels.list', { signal }),
    enabled,
  });
  const members = useQuery({
    queryKey: ['onboarding', 'members'],
    queryFn: ({ signal }) => api.call('users.list', { signal }),
    enabled,
  });
  const invitations = useQuery({
    queryKey: ['onboarding', 'invitations'],
    queryFn: ({ signal }) => api.call('invitations.list', { signal }),
    enabled,
  });
  const forms = useQuery({
    queryKey: ['onboarding', 'forms'],
    queryFn: ({ signal }) => api.call('forms.list', { signal }),
    enabled,
  });
  if (!enabled || !channels.data || !members.data || !invitations.data || !forms.data) return null;

  const steps = [
    {
      id: 'channel',
      label: 'Connect a channel',
      hint: 'A WhatsApp number or an Instagram account, so messages reach the inbox.',
      href: '/app/settings/?tab=channels',
      done: channels.data.items.length > 0,
    },
    {
      id: 'team',
      label: 'Invite the team',
      hint: 'Colleagues who answer conversations and follow up leads.',
      href: '/app/settings/?tab=team',
      done:
        members.data.items.length > 1 ||
        invitations.data.items.some((i) => i.status === 'pending' || i.status === 'accepted'),
    },
    {
      id: 'form',
      label: 'Publish a form',
      hint: 'A lead form for your website; its answers become leads.',
      href: '/app/forms/',
      done: forms.data.items.some(
        (f) => f.publishedVersion !== undefined && f.status !== 'archived',
      ),
    },
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <Card className="w-full max-w-md p-5">
      <section aria-labelledby="onboarding-title" data-testid="onboarding-checklist">
        <div className="mb-3 flex items-start justify-between gap-3">
          <div>
            <h2 id="onboarding-title" className="font-semibold text-slate-900">
              {left === 0 ? 'Your workspace is ready' : 'Set up your workspace'}
            </h2>
            <p className="mt-0.5 text-sm text-slate-500">
              {left === 0
                ? 'All three first steps are done.'
                : `${3 - left} of 3 first steps done.`}
            </p>
          </div>
          <button
            type="button"
            onClick={dismiss}
            aria-label="Dismiss the checklist"
            title="Dismiss the checklist"
            // slate-600: an icon-only control needs 3:1 against white; slate-400 gave about 2.6:1.
            className="rounded-md p-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand"
          >
            <CloseIcon size={18} />
          </button>
        </div>
        <ul className="space-y-2">
          {steps.map((step) => (
            <li key={step.id}>
              <Link
                href={step.href}
                data-done={step.done}
                className="flex items-start gap-3 rounded-lg border border-slate-200 p-3 hover:border-brand hover:bg-brand/5"
              >
                <span
                  className={cx(
                    'mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full border',
                    step.done
                      ? 'border-emerald-600 bg-emerald-600 text-white'
                      : 'border-slate-300 text-transparent',
                  )}
                  aria-hidden
                >
                  <CheckIcon size={14} />
                </span>
                <span>
                  <span
                    className={cx(
                      'block text-sm font-medium',
                      step.done ? 'text-slate-500 line-through' : 'text-slate-900',
                    )}
                  >
                    {step.label}
                    <span className="sr-only">{step.done ? ' (done)' : ' (to do)'}</span>
                  </span>
                  <span className="block text-xs text-slate-500">{step.hint}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </Card>
  );
}
