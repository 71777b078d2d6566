'use client';

import { Suspense } from 'react';
import { ApiKeysSettings } from '@/components/settings/api-keys-settings';
import { AuditSettings } from '@/components/settings/audit-settings';
import { BrandingSettings } from '@/components/settings/branding-settings';
import { ChannelsSettings } from '@/components/settings/channels-settings';
import { ConsentSettings } from '@/components/settings/consent-settings';
import { CannedRepliesSettings } from '@/components/settings/canned-replies-settings';
import { CrmSettings } from '@/components/settings/crm-settings';
import { EventDestinationsSettings } from '@/components/settings/event-destinations-settings';
import { LabelsSettings } from '@/components/settings/labels-settings';
import { TeamSettings } from '@/components/settings/team-settings';
import { cx, LoadingState, PageHeader } from '@/components/ui';
import { useQueryParams } from '@/lib/use-query-param';
import { SecuritySettings } from './security-settings';
import { SsoSettingsPanel } from './sso-settings';

const tabs = [
  {
    id: 'branding',
    label: 'Branding',
    description: 'Your logo and colours, in the app and on your forms.',
  },
  {
    id: 'channels',
    label: 'Channels',
    description: 'The WhatsApp numbers and Instagram accounts of this workspace.',
  },
  { id: 'team', label: 'Team', description: 'Who works in this workspace, and what they may do.' },
  { id: 'labels', label: 'Labels', description: 'Coloured labels to sort conversations by.' },
  {
    id: 'canned-replies',
    label: 'Canned replies',
    description: 'Saved answers agents insert with / in the reply box.',
  },
  {
    id: 'api-keys',
    label: 'API keys',
    description: 'Credentials for your website and integrations.',
  },
  {
    id: 'consent',
    label: 'Consent',
    description: 'The words customers write on WhatsApp to stop or restart marketing messages.',
  },
  { id: 'crm', label: 'CRM sync', description: 'Where new leads are pushed.' },
  {
    id: 'event-webhooks',
    label: 'Event webhooks',
    description: 'Endpoints that receive the workspace’s events, signed per Standard Webhooks.',
  },
  { id: 'audit', label: 'Audit trail', description: 'Sign-ins and changes, newest first.' },
  {
    id: 'security',
    label: 'Security',
    description: 'Your two-factor sign-in and sessions, and the workspace’s sign-in policy.',
  },
  {
    id: 'sso',
    label: 'Single sign-on',
    description: 'Your organisation’s identity provider, and the e-mail domains that may join.',
  },
] as const;

type TabId = (typeof tabs)[number]['id'];

function Settings() {
  const [params, setParams] = useQueryParams();
  const current: TabId = (tabs.find((t) => t.id === params.get('tab'))?.id ?? 'branding') as TabId;
  const tab = tabs.find((t) => t.id === current)!;
  return (
    <div className="min-h-full">
      <PageHeader title="Settings" description={tab.description} />
      <div className="border-b border-slate-200 bg-white px-2 md:px-4">
        <div
          role="tablist"
          aria-label="Settings sections"
          className="-mb-px flex gap-1 overflow-x-auto"
        >
          {tabs.map((t) => (
            <button
              key={t.id}
              role="tab"
              type="button"
              id={`tab-${t.id}`}
              aria-selected={t.id === current}
              aria-controls="settings-panel"
              onClick={() => setParams({ tab: t.id === 'branding' ? null : t.id })}
              className={cx(
                'whitespace-nowrap border-b-2 px-3 py-3 text-sm font-medium',
                t.id === current
                  ? 'border-brand text-brand-strong'
                  : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900',
              )}
            >
              {t.label}
            </button>
          ))}
        </div>
      </div>
      <div
        id="settings-panel"
        role="tabpanel"
        aria-labelledby={`tab-${current}`}
        className="mx-auto max-w-5xl p-4 md:p-6"
      >
        {current === 'branding' ? <BrandingSettings /> : null}
        {current === 'channels' ? <ChannelsSettings /> : null}
        {current === 'team' ? <TeamSettings /> : null}
        {current === 'labels' ? <LabelsSettings /> : null}
        {current === 'canned-replies' ? <CannedRepliesSettings /> : null}
        {current === 'api-keys' ? <ApiKeysSettings /> : null}
        {current === 'consent' ? <ConsentSettings /> : null}
        {current === 'crm' ? <CrmSettings /> : null}
        {current === 'event-webhooks' ? <EventDestinationsSettings /> : null}
        {current === 'audit' ? <AuditSettings /> : null}
        {current === 'security' ? <SecuritySettings /> : null}
        {current === 'sso' ? <SsoSettingsPanel /> : null}
      </div>
    </div>
  );
}

export default function SettingsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Settings />
    </Suspense>
  );
}
