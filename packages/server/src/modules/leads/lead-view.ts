import type { Lead } from './lead.repo';

export function embedSnippet(base: string, formId: string): string {
  return `<script src="${base}/public/forms/${formId}/embed.js" async></script>`;
}

/** A lead as the API shows it: submission ids summarised, sync status in the contract's shape. */
export function leadView(lead: Lead) {
  const {
    submissionIds,
    extraSubmissions,
    customRev: _rev,
    sync,
    stageKind: _kind,
    ...rest
  } = lead;
  return {
    ...rest,
    submissionCount: submissionIds.length + (extraSubmissions ?? 0),
    sync: {
      status: sync.status,
      attempts: sync.attempts,
      lastError: sync.lastError,
      lastAttemptAt: sync.lastAttemptAt,
      syncedAt: sync.syncedAt,
    },
  };
}
