'use client';

import { Suspense } from 'react';
import { CampaignDetail } from '@/components/campaigns/campaign-detail';
import { CampaignForm } from '@/components/campaigns/campaign-form';
import { CampaignList } from '@/components/campaigns/campaign-list';
import { PlusIcon } from '@/components/icons';
import { Button, LoadingState, PageHeader } from '@/components/ui';
import { useRole } from '@/lib/session';
import { useQueryParams } from '@/lib/use-query-param';

// Campaigns: the list (`/app/campaigns/`), a new one (`?new=1`, admins) and one campaign
// (`?id=…`), in the query string since the static export has no pages for unknown ids.

function Campaigns() {
  const [params, setParams] = useQueryParams();
  const { atLeast } = useRole();
  const canManage = atLeast('admin');
  const id = params.get('id');
  const creating = params.get('new') === '1' && canManage;
  const open = (next: string) => setParams({ id: next, new: null }, { push: true });
  const home = () => setParams({ id: null, new: null }, { push: true });

  if (id) {
    return (
      <>
        <PageHeader title="Campaign" />
        <CampaignDetail key={id} id={id} canControl={canManage} onBack={home} />
      </>
    );
  }
  if (creating) {
    return (
      <>
        <PageHeader
          title="New campaign"
          description="One approved WhatsApp template to the contacts who opted in."
        />
        <CampaignForm onCancel={home} onCreated={(c) => open(c.id)} />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Template broadcasts on WhatsApp, to numbers that opted in."
        actions={
          canManage ? (
            <Button variant="primary" onClick={() => setParams({ new: '1' }, { push: true })}>
              <PlusIcon size={14} /> New campaign
            </Button>
          ) : undefined
        }
      />
      <CampaignList
        canCreate={canManage}
        onOpen={open}
        onNew={() => setParams({ new: '1' }, { push: true })}
      />
    </>
  );
}

export default function CampaignsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Campaigns />
    </Suspense>
  );
}
