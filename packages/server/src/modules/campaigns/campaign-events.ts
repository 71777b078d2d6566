import type { CampaignStatus, LiveEvent } from '@switchboard/contracts';
import { stableId } from '../../engine/ids';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';

// `campaign.progress`: an open campaign screen reads the campaign again when it arrives. Sends
// and statuses come by the hundred a second, so a process says so at most once a second per
// campaign, plus once at the end of a second that had more to say (so the last change of a burst
// is not left unsaid); a change of the campaign's own status always goes out. Best effort, like
// every event for open screens: the screen also reads again when its socket comes back.

const EVERY_MS = 1_000;
type Campaign = { id: string; status: CampaignStatus };
type Said = { at: number; campaign: Campaign; trailing?: NodeJS.Timeout };
const lastSaid = new Map<string, Said>();

async function say(events: WorkspaceEvents, tenantId: string, campaign: Campaign, now: number) {
  const second = String(Math.floor(now / EVERY_MS));
  const event: LiveEvent = {
    id: stableId('evt', 'campaign.progress', campaign.id, campaign.status, second),
    at: new Date(now).toISOString(),
    type: 'campaign.progress',
    data: { campaignId: campaign.id, status: campaign.status },
  };
  await events.emit(tenantId, event);
}

export async function emitCampaignProgress(
  events: WorkspaceEvents | undefined,
  tenantId: string,
  campaign: Campaign,
  now: number,
  opts: { statusChanged?: boolean } = {},
): Promise<void> {
  if (!events) return;
  const key = `${tenantId}\u0000${campaign.id}`;
  const last = lastSaid.get(key);
  if (!opts.statusChanged && last !== undefined && now - last.at < EVERY_MS) {
    last.campaign = campaign;
    sayAtEndOfSecond(events, tenantId, last, now);
    return;
  }
  if (last?.trailing) clearTimeout(last.trailing);
  if (lastSaid.size > 10_000) lastSaid.clear();
  lastSaid.set(key, { at: now, campaign });
  await say(events, tenantId, campaign, now);
}

/** Said this second already: once more when it is over. */
function sayAtEndOfSecond(events: WorkspaceEvents, tenantId: string, last: Said, now: number) {
  last.trailing ??= setTimeout(
    () => {
      last.trailing = undefined;
      last.at = Date.now();
      say(events, tenantId, last.campaign, last.at).catch(() => undefined);
    },
    EVERY_MS - (now - last.at),
  ).unref();
}

/**
 * A recipient of the campaign moved on. True when this second's event (or its trailing one)
 * covers it; false when the caller must read the campaign and emit (saves a read per status).
 */
export function coveredProgress(
  events: WorkspaceEvents,
  tenantId: string,
  campaignId: string,
  now: number,
): boolean {
  const last = lastSaid.get(`${tenantId}\u0000${campaignId}`);
  if (last === undefined || now - last.at >= EVERY_MS) return false;
  sayAtEndOfSecond(events, tenantId, last, now);
  return true;
}
