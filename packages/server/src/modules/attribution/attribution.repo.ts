import type { Attribution, SourcesReport, Touch } from '@switchboard/contracts';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys, tenantPk } from '../../engine/data/keys';

// Touches and the first/latest record of each contact and lead (keys.ts `attribution`,
// `attributionTouch`). Each write is safe to repeat: the touch item is put if absent, a subject
// counts a touch once (its id joins a set under a `NOT contains` condition) and `latest` only
// moves forward in time. A crash between the writes is completed by recording the touch again.

export type AttributionSubject = { contactId?: string; leadId?: string };

/** The report reads at most this many touches (a year of a busy workspace's leads). */
const REPORT_MAX_TOUCHES = 100_000;

function toAttribution(item: Item | undefined): Attribution | null {
  if (!item?.first || !item.latest) return null;
  const ids = item.touchIds as Set<string> | undefined;
  return { first: item.first, latest: item.latest, touches: Math.max(ids?.size ?? 1, 1) };
}

export class AttributionRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(subject: 'contact' | 'lead', id: string): Promise<Attribution | null> {
    return toAttribution(await this.db.get(keys.attribution(this.tenantId, subject, id)));
  }

  async record(touch: Touch, to: AttributionSubject): Promise<void> {
    await this.db.put(
      {
        ...keys.attributionTouch(this.tenantId, touch.at, touch.id),
        touchId: touch.id,
        kind: touch.kind,
        source: touch.source,
        medium: touch.medium ?? null,
        campaign: touch.campaign ?? null,
        contactId: to.contactId ?? null,
        leadId: to.leadId ?? touch.leadId ?? null,
        conversationId: touch.conversationId ?? null,
        at: touch.at,
      },
      { ifNotExists: true },
    );
    const subjects: ['contact' | 'lead', string][] = [];
    if (to.contactId) subjects.push(['contact', to.contactId]);
    if (to.leadId) subjects.push(['lead', to.leadId]);
    for (const [kind, id] of subjects) await this.apply(kind, id, touch);
  }

  private async apply(subject: 'contact' | 'lead', id: string, touch: Touch): Promise<void> {
    const key = keys.attribution(this.tenantId, subject, id);
    // First: set once, and the touch joins the counted set once.
    await this.db.update(
      key,
      { set: '#first = if_not_exists(#first, :touch)', add: 'touchIds :ids' },
      {
        condition: 'attribute_not_exists(touchIds) OR NOT contains(touchIds, :id)',
        names: { '#first': 'first' },
        values: { ':touch': touch, ':ids': new Set([touch.id]), ':id': touch.id },
      },
    );
    // An earlier touch recorded late replaces `first`.
    await this.db.update(
      key,
      { set: '#first = :touch' },
      {
        condition: '#first.#at > :at',
        names: { '#first': 'first', '#at': 'at' },
        values: { ':touch': touch, ':at': touch.at },
      },
    );
    await this.db.update(
      key,
      { set: 'latest = :touch, latestAt = :at' },
      {
        condition: 'attribute_not_exists(latestAt) OR latestAt <= :at',
        values: { ':touch': touch, ':at': touch.at },
      },
    );
  }

  /**
   * Leads and conversations by source, medium and campaign, over whole days `from`..`to` (UTC).
   * Form touches count leads; message touches count the conversations they opened.
   */
  async sourcesReport(from: string, to: string): Promise<SourcesReport> {
    const rows = new Map<string, SourcesReport['rows'][number]>();
    const totals = { leads: 0, conversations: 0 };
    let startKey: Item | undefined;
    let read = 0;
    do {
      const page = await this.db.query({
        pk: tenantPk(this.tenantId),
        sk: { between: [`ATTRTOUCH#${from}`, `ATTRTOUCH#${to}T\uffff`] },
        startKey,
      });
      for (const item of page.items) {
        const medium = (item.medium as string | null) ?? null;
        const campaign = (item.campaign as string | null) ?? null;
        const rowKey = JSON.stringify([item.source, medium, campaign]);
        let row = rows.get(rowKey);
        if (!row) {
          row = { source: item.source, medium, campaign, leads: 0, conversations: 0 };
          rows.set(rowKey, row);
        }
        if (item.kind === 'form') {
          row.leads++;
          totals.leads++;
        } else {
          row.conversations++;
          totals.conversations++;
        }
      }
      read += page.items.length;
      startKey = page.lastKey;
    } while (startKey && read < REPORT_MAX_TOUCHES);
    const sorted = [...rows.values()].sort(
      (a, b) =>
        b.leads + b.conversations - (a.leads + a.conversations) || a.source.localeCompare(b.source),
    );
    return { from, to, rows: sorted, totals };
  }
}
