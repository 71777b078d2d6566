import type { CampaignStatus, LiveEvent } from '@switchboard/contracts';
import { stableId } from '../../engine/ids';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';

// `campaign.progress`: an open campaign screen reads the campaign again when it arrives. Sends
// and statuses come by the hundred a second, so a process says so at most once a second per
// campaign; a change of the campaign's own status always goes out. Best effort, like every
// event for open screens: the screen also reads again when its socket comes back.

const EVERY_MS = 1_000;
const lastSaid = new Map<string, number>();

export async function emitCampaignProgress(
  events: WorkspaceEvents | undefined,
  tenantId: string,
  campaign: { id: string; status: CampaignStatus },
  now: number,
  opts: { statusChanged?: boolean } = {},
): Promise<void> {
  if (!events) return;
  const key = `${tenantId}\u0000${campaign.id}`;
  const last = lastSaid.get(key);
  if (!opts.statusChanged && last !== undefined && now - last < EVERY_MS) return;
  lastSaid.set(key, now);
  if (lastSaid.size > 10_000) lastSaid.clear();
  const second = String(Math.floor(now / EVERY_MS));
  const event: LiveEvent = {
    id: stableId('evt', 'campaign.progress', campaign.id, campaign.status, second),
    at: new Date(now).toISOString(),
    type: 'campaign.progress',
    data: { campaignId: campaign.id, status: campaign.status },
  };
  await events.emit(tenantId, event);
}

/** Whether a process would say anything for this campaign now (saves the caller a read). */
export function progressDue(tenantId: string, campaignId: string, now: number): boolean {
  const last = lastSaid.get(`${tenantId}\u0000${campaignId}`);
  return last === undefined || now - last >= EVERY_MS;
}
