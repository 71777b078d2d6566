import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

/**
 * A submission as it was accepted: the values of the fields its form declares, after validation
 * and normalisation. The client's own object is never stored (items written before that rule also
 * hold it as `raw`, which is not read).
 */
export type RawSubmission = {
  id: string;
  source: 'form' | 'api' | 'import' | 'conversation';
  formId?: string;
  formVersion?: number;
  values: Record<string, unknown>;
  submittedAt: string;
  meta: Record<string, string>;
  storedAt: string;
};

function toSubmission(item: Item): RawSubmission {
  return {
    id: item.id,
    source: item.source,
    formId: item.formId,
    formVersion: item.formVersion,
    values: item.values ?? {},
    submittedAt: item.submittedAt,
    meta: item.meta ?? {},
    storedAt: item.storedAt,
  };
}

/** The raw leads store: every accepted submission, written once. */
export class SubmissionRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Idempotent: a redelivered event finds the first copy and leaves it untouched. */
  async storeOnce(submission: RawSubmission): Promise<boolean> {
    return this.db.put(
      { ...keys.submission(this.tenantId, submission.id), ...submission, entity: 'Submission' },
      { ifNotExists: true },
    );
  }

  async get(id: string): Promise<RawSubmission | undefined> {
    const item = await this.db.get(keys.submission(this.tenantId, id));
    return item ? toSubmission(item) : undefined;
  }

  async getMany(ids: string[]): Promise<RawSubmission[]> {
    const items = await this.db.batchGet(ids.map((id) => keys.submission(this.tenantId, id)));
    return items.map(toSubmission).sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : -1));
  }
}
