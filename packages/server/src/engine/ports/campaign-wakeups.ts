// Campaign wake-ups: what puts a campaign's next slice on CampaignSendQueue when its due item
// says one is wanted (a start time, "send now", a resume, a backoff or a tier recheck). The due
// item (`CAMPAIGNDUE`, written by the campaigns module) stays the truth; a wake-up only makes the
// slice happen on time. In the sandbox the due sweep reads the due items every second, so its
// wake-ups do nothing; deployed, EventBridge Scheduler holds one schedule per campaign
// (engine/aws/campaign-scheduler.ts), and a sweep every few minutes catches a lost one.

export type CampaignWakeups = {
  /**
   * The campaign's slice is wanted at `dueAt` (epoch ms), replacing any earlier wake-up of it.
   * Best effort: a failure is logged, never thrown (the due item is written; the sweep follows).
   */
  wakeAt(tenantId: string, campaignId: string, dueAt: number): Promise<void>;
  /** No slice is wanted any more (paused, done). Quiet when there is nothing to cancel. */
  cancel(tenantId: string, campaignId: string): Promise<void>;
};

/** Where the due sweep reads the due items itself (the sandbox): nothing else to do. */
export const sweptWakeups: CampaignWakeups = {
  wakeAt: async () => undefined,
  cancel: async () => undefined,
};
