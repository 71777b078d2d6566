import type { LeadSyncStatus } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { foldForSearch } from '../messaging/customer.repo';
import type { Db, Item, Names, Values } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { UpdateExpression } from '../../engine/data/update-expression';
import { customEditIssue, LEAD_MAX_SUBMISSION_IDS, mergeCustomWithinLimits } from './lead-limits';

export type LeadSource = 'form' | 'api' | 'import' | 'conversation';
export type StageKind = 'open' | 'won' | 'lost';
/** The CRM sync state of a lead: the contracts' vocabulary. */
export type SyncStatus = LeadSyncStatus;

export type LeadSync = {
  status: SyncStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt?: string;
  syncedAt?: string;
  /** The sync job this status is about (a submission id, or a manual re-sync's id). */
  jobId?: string;
};

export type LeadValue = string | number | boolean | string[];

/**
 * The last change of a lead its CRM destinations must hear of, written with the change itself
 * (`lastChange` on the item): the table's stream carries it to the stream consumer, which turns
 * a new `id` into the sync job (lead-stream.ts). `id` names the job: a submission id, or a
 * random `job_` id of an edit or a re-sync. Writes that must not sync (the CRM sync's own status,
 * deletes, restores) leave it as it is.
 */
export type LeadChange = { id: string; reason: 'submission' | 'update' | 'manual'; at: string };

export type Lead = {
  id: string;
  customerId: string;
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  stage: string;
  stageKind: StageKind;
  ownerId?: string;
  tags: string[];
  custom: Record<string, LeadValue>;
  utm?: Record<string, string>;
  formId?: string;
  source: LeadSource;
  /**
   * The lead's conversation: the one an agent made it from (source `conversation`), or the one
   * its form's WhatsApp follow-up opened.
   */
  conversationId?: string;
  submissionIds: string[];
  /** Submissions merged after `submissionIds` reached its cap (lead-limits.ts). */
  extraSubmissions?: number;
  /** Bumped by every write of `custom`: the optimistic lock that keeps its caps on the item. */
  customRev?: number;
  consents?: { key: string; label: string; at: string }[];
  sync: LeadSync;
  createdAt: string;
  updatedAt: string;
  lastSubmittedAt: string;
  deletedAt?: string;
};

// Lead ids sort by creation time (10 base32 characters of epoch ms, then a hash), so the tenant
// partition lists leads in creation order and a created-at range is a key range. Derived from the
// submission that created the lead: a redelivered event computes the same id.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

function timePart(ms: number): string {
  let out = '';
  let rest = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = alphabet[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

export function leadIdFor(tenantId: string, submissionId: string, submittedAt: string): string {
  const hash = createHash('sha256').update(`${tenantId}\u0000${submissionId}`).digest();
  let tail = '';
  for (let i = 0; i < 12; i++) tail += alphabet[hash[i]! % 32];
  return `ld_${timePart(Date.parse(submittedAt))}${tail}`;
}

/** The smallest / largest lead id created at `iso`: bounds of a created-at key range. */
export function leadIdBound(iso: string, end: 'from' | 'to'): string {
  return `ld_${timePart(Date.parse(iso))}${end === 'from' ? '' : '~'}`;
}

export function leadSearchText(lead: Pick<Lead, 'name' | 'email' | 'phone' | 'company'>): string {
  return [
    lead.name && foldForSearch(lead.name),
    lead.email,
    lead.phone?.replace(/\D/g, ''),
    lead.company && foldForSearch(lead.company),
  ]
    .filter(Boolean)
    .join(' | ');
}

function toLead(item: Item): Lead {
  return {
    id: item.id,
    customerId: item.customerId,
    name: item.name,
    email: item.email,
    phone: item.phone,
    company: item.company,
    stage: item.stage,
    stageKind: item.stageKind ?? 'open',
    ownerId: item.ownerId,
    tags: item.tags ?? [],
    custom: item.custom ?? {},
    utm: item.utm,
    formId: item.formId,
    source: item.source,
    conversationId: item.conversationId,
    submissionIds: item.submissionIds ? [...(item.submissionIds as Set<string>)] : [],
    extraSubmissions: item.extraSubmissions,
    customRev: item.customRev,
    consents: item.consents,
    sync: item.sync ?? { status: 'pending', attempts: 0, lastError: null },
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    lastSubmittedAt: item.lastSubmittedAt,
    deletedAt: item.deletedAt,
  };
}

const indexKeys = (tenantId: string, lead: Pick<Lead, 'id' | 'stage' | 'ownerId'>) => ({
  GSI1PK: keys.leadStagePk(tenantId, lead.stage),
  GSI1SK: lead.id,
  ...(lead.ownerId ? { GSI2PK: keys.leadOwnerPk(tenantId, lead.ownerId), GSI2SK: lead.id } : {}),
});

export type NewLead = Omit<Lead, 'updatedAt' | 'sync' | 'deletedAt'>;

export type SubmissionMerge = {
  submissionId: string;
  submittedAt: string;
  contact: { name?: string; email?: string; phone?: string; company?: string };
  custom: Record<string, LeadValue>;
  utm: Record<string, string>;
  consents: { key: string; label: string }[];
};

/** What a merge left out of the lead's custom fields (the caps were reached). */
export type MergeOutcome = { skippedCustom: string[] };

export type PatchOutcome =
  { lead: Lead } | { missing: true } | { customLimit: string } | { conflict: true };

export type LeadPatch = {
  stage?: { id: string; kind: StageKind };
  ownerId?: string | null;
  tags?: string[];
  custom?: Record<string, LeadValue | null>;
  name?: string;
  company?: string;
};

export type LeadFilter = {
  stage?: string;
  ownerId?: string;
  formId?: string;
  from?: string;
  to?: string;
  q?: string;
  deleted?: boolean;
};

export type LeadPage = { items: Lead[]; lastId?: string };

/** Leads of one tenant. GSI1: by stage; GSI2: by owner; both keyed by the time-ordered lead id. */
export class LeadRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Creates the lead once; false when it already exists (a redelivery). */
  async create(lead: NewLead, change: LeadChange): Promise<boolean> {
    const item: Item & { PK: string; SK: string } = {
      ...keys.lead(this.tenantId, lead.id),
      ...indexKeys(this.tenantId, lead),
      ...lead,
      submissionIds: new Set(lead.submissionIds),
      updatedAt: lead.createdAt,
      sync: { status: 'pending', attempts: 0, lastError: null },
      search: leadSearchText(lead),
      lastChange: change,
      entity: 'Lead',
    };
    if (lead.submissionIds.length === 0) delete item.submissionIds;
    return this.db.put(item, { ifNotExists: true });
  }

  async get(leadId: string): Promise<Lead | undefined> {
    const item = await this.db.get(keys.lead(this.tenantId, leadId));
    return item ? toLead(item) : undefined;
  }

  async getMany(leadIds: string[]): Promise<Lead[]> {
    const items = await this.db.batchGet(leadIds.map((id) => keys.lead(this.tenantId, id)));
    return items.map(toLead);
  }

  /** The condition that `custom` is still what `lead` saw: its revision is unchanged. */
  private customUnchanged(u: UpdateExpression, lead: Lead): string {
    return lead.customRev === undefined
      ? `attribute_not_exists(${u.path('customRev')})`
      : `${u.path('customRev')} = ${u.value(lead.customRev)}`;
  }

  /** Lists the submission on the lead, or counts it once the list is at its cap. */
  private addSubmission(u: UpdateExpression, lead: Lead, submissionId: string): void {
    if (lead.submissionIds.includes(submissionId)) return;
    if (lead.submissionIds.length < LEAD_MAX_SUBMISSION_IDS) {
      u.add('submissionIds', new Set([submissionId]));
    } else u.add('extraSubmissions', 1);
  }

  /**
   * Adds a submission to a lead. The submission id joins a string set (idempotent); the values
   * only apply when this submission is not older than the last one applied, so a late redelivery
   * never rolls newer values back. Custom values are merged within the caps (lead-limits.ts) on
   * the item as it is: the write is conditional on `customRev`, and read again when another
   * write changed the custom fields meanwhile.
   */
  async mergeSubmission(lead: Lead, s: SubmissionMerge, now: string): Promise<MergeOutcome> {
    const key = keys.lead(this.tenantId, lead.id);
    const change: LeadChange = { id: s.submissionId, reason: 'submission', at: now };
    let current: Lead | undefined = lead;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (!current) throw new Error(`lead ${lead.id} vanished`);
      if (current.lastSubmittedAt && current.lastSubmittedAt > s.submittedAt) {
        // Older than what the lead shows: only record that it happened.
        const late = new UpdateExpression();
        this.addSubmission(late, current, s.submissionId);
        if (late.isEmpty) return { skippedCustom: [] };
        late.set('lastChange', change);
        await this.db.update(key, late.parts(), {
          condition: 'attribute_exists(PK)',
          names: late.names,
          values: late.values,
        });
        return { skippedCustom: [] };
      }
      const merged = mergeCustomWithinLimits(current.custom, s.custom);
      const u = new UpdateExpression();
      this.addSubmission(u, current, s.submissionId);
      u.set('updatedAt', now);
      u.set('lastChange', change);
      u.set('lastSubmittedAt', s.submittedAt);
      if (s.contact.name) u.set('name', s.contact.name);
      if (s.contact.company) u.set('company', s.contact.company);
      if (s.contact.email) u.setIfNotExists('email', s.contact.email);
      if (s.contact.phone) u.setIfNotExists('phone', s.contact.phone);
      u.set('custom', merged.custom);
      u.set('customRev', (current.customRev ?? 0) + 1);
      if (Object.keys(s.utm).length > 0) u.set('utm', s.utm);
      if (s.consents.length > 0) {
        const seen = new Set((current.consents ?? []).map((c) => c.key));
        const added = s.consents
          .filter((c) => !seen.has(c.key))
          .map((c) => ({ ...c, at: s.submittedAt }));
        if (added.length > 0) u.set('consents', [...(current.consents ?? []), ...added]);
      }
      u.set(
        'search',
        leadSearchText({
          name: s.contact.name ?? current.name,
          email: current.email ?? s.contact.email,
          phone: current.phone ?? s.contact.phone,
          company: s.contact.company ?? current.company,
        }),
      );
      const applied = await this.db.update(key, u.parts(), {
        condition: `attribute_exists(PK) AND (attribute_not_exists(${u.path('lastSubmittedAt')}) OR ${u.path('lastSubmittedAt')} <= ${u.value(s.submittedAt)}) AND ${this.customUnchanged(u, current)}`,
        names: u.names,
        values: u.values,
      });
      if (applied) return { skippedCustom: merged.skipped };
      // A newer submission, or another write of the custom fields, got there first.
      current = await this.get(lead.id);
    }
    throw new Error(`lead ${lead.id} kept changing while merging ${s.submissionId}`);
  }

  /**
   * Applies a user's edit. Custom fields are replaced as a whole, within the caps
   * (lead-limits.ts), on the condition that nobody changed them since they were read.
   */
  async patch(
    leadId: string,
    patch: LeadPatch,
    now: string,
    change: LeadChange,
  ): Promise<PatchOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.get(leadId);
      if (!current || current.deletedAt) return { missing: true };
      const u = new UpdateExpression().set('updatedAt', now).set('lastChange', change);
      let condition = 'attribute_exists(PK) AND attribute_not_exists(deletedAt)';
      if (patch.stage) {
        u.set('stage', patch.stage.id).set('stageKind', patch.stage.kind);
        u.set('GSI1PK', keys.leadStagePk(this.tenantId, patch.stage.id)).set('GSI1SK', leadId);
      }
      if (patch.ownerId === null) u.remove('ownerId').remove('GSI2PK').remove('GSI2SK');
      else if (patch.ownerId !== undefined) {
        u.set('ownerId', patch.ownerId);
        u.set('GSI2PK', keys.leadOwnerPk(this.tenantId, patch.ownerId)).set('GSI2SK', leadId);
      }
      if (patch.tags) u.set('tags', [...new Set(patch.tags)]);
      const edits = Object.entries(patch.custom ?? {});
      if (edits.length > 0) {
        const removed = new Set(edits.filter(([, v]) => v === null).map(([k]) => k));
        const next = Object.fromEntries([
          ...Object.entries(current.custom).filter(([k]) => !removed.has(k)),
          ...edits.filter((e): e is [string, LeadValue] => e[1] !== null),
        ]);
        const issue = customEditIssue(current.custom, next);
        if (issue) return { customLimit: issue };
        u.set('custom', next).set('customRev', (current.customRev ?? 0) + 1);
        condition += ` AND ${this.customUnchanged(u, current)}`;
      }
      if (patch.name !== undefined) u.set('name', patch.name);
      if (patch.company !== undefined) {
        if (patch.company === '') u.remove('company');
        else u.set('company', patch.company);
      }
      u.set(
        'search',
        leadSearchText({
          name: patch.name ?? current.name,
          email: current.email,
          phone: current.phone,
          company: patch.company === undefined ? current.company : patch.company || undefined,
        }),
      );
      const item = await this.db.update(keys.lead(this.tenantId, leadId), u.parts(), {
        condition,
        names: u.names,
        values: u.values,
      });
      if (item) return { lead: toLead(item) };
      // Deleted meanwhile, or its custom fields changed: look again.
    }
    return { conflict: true };
  }

  /** Soft delete: kept (and restorable), out of the stage and owner indexes. */
  async softDelete(leadId: string, now: string): Promise<'deleted' | 'already' | 'missing'> {
    const item = await this.db.update(
      keys.lead(this.tenantId, leadId),
      { set: 'deletedAt = :now, updatedAt = :now', remove: 'GSI1PK, GSI1SK, GSI2PK, GSI2SK' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
        values: { ':now': now },
      },
    );
    if (item) return 'deleted';
    return (await this.get(leadId)) ? 'already' : 'missing';
  }

  async restore(leadId: string, now: string): Promise<Lead | undefined> {
    const lead = await this.get(leadId);
    if (!lead?.deletedAt) return lead;
    const u = new UpdateExpression().set('updatedAt', now).remove('deletedAt');
    for (const [k, v] of Object.entries(indexKeys(this.tenantId, lead))) u.set(k, v);
    const item = await this.db.update(keys.lead(this.tenantId, leadId), u.parts(), {
      condition: 'attribute_exists(deletedAt)',
      names: u.names,
      values: u.values,
    });
    return item ? toLead(item) : this.get(leadId);
  }

  /** Moves a lead to the contact its e-mail-only contact was folded into. */
  async setCustomer(leadId: string, customerId: string, now: string): Promise<void> {
    await this.db.update(
      keys.lead(this.tenantId, leadId),
      { set: 'customerId = :c, updatedAt = :now' },
      { condition: 'attribute_exists(PK)', values: { ':c': customerId, ':now': now } },
    );
  }

  /**
   * Links the lead to a conversation unless it already has one. No `lastChange`: a link asks its
   * CRM destinations for nothing.
   */
  async linkConversation(leadId: string, conversationId: string): Promise<void> {
    await this.db.update(
      keys.lead(this.tenantId, leadId),
      { set: 'conversationId = if_not_exists(conversationId, :c)' },
      { condition: 'attribute_exists(PK)', values: { ':c': conversationId } },
    );
  }

  /**
   * Moves a lead to the contact one of `from` was merged into (modules/contacts/). Idempotent;
   * false when the lead is gone or belongs to someone else.
   */
  async repointCustomer(leadId: string, from: string[], to: string): Promise<boolean> {
    const owners = [...from, to];
    const item = await this.db.update(
      keys.lead(this.tenantId, leadId),
      { set: 'customerId = :to' },
      {
        condition: `attribute_exists(PK) AND (${owners.map((_, i) => `customerId = :c${i}`).join(' OR ')})`,
        values: { ':to': to, ...Object.fromEntries(owners.map((id, i) => [`:c${i}`, id])) },
      },
    );
    return item !== undefined;
  }

  /** The CRM sync's own status: no `lastChange`, so it never asks for another sync. */
  async setSync(leadId: string, sync: LeadSync): Promise<void> {
    await this.db.update(
      keys.lead(this.tenantId, leadId),
      { set: '#sync = :sync' },
      { condition: 'attribute_exists(PK)', names: { '#sync': 'sync' }, values: { ':sync': sync } },
    );
  }

  /** A user's re-sync: the status goes pending and the change names the job (lead-stream.ts). */
  async requestSync(leadId: string, sync: LeadSync, change: LeadChange): Promise<boolean> {
    const item = await this.db.update(
      keys.lead(this.tenantId, leadId),
      { set: '#sync = :sync, lastChange = :change' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
        names: { '#sync': 'sync' },
        values: { ':sync': sync, ':change': change },
      },
    );
    return item !== undefined;
  }

  /** Whether any live lead sits in `stage` (deleted leads leave the stage index). */
  async anyInStage(stage: string): Promise<boolean> {
    const page = await this.db.query({
      pk: keys.leadStagePk(this.tenantId, stage),
      index: 'GSI1',
      limit: 1,
    });
    return page.items.length > 0;
  }

  /**
   * Newest first. Stage and owner filters read their index; created-at ranges are key ranges;
   * form, text and deleted filters are applied to what is read, within a budget of `maxScanned`
   * items per call (the page may then be short: follow `lastId`).
   */
  async list(
    filter: LeadFilter,
    limit: number,
    afterId?: string,
    maxScanned = 1000,
  ): Promise<LeadPage> {
    // An empty range (the contract refuses it at the edge; DynamoDB would refuse the key range).
    if (filter.from && filter.to && Date.parse(filter.from) > Date.parse(filter.to)) {
      return { items: [] };
    }
    const source = filter.stage
      ? { index: 'GSI1' as const, pk: keys.leadStagePk(this.tenantId, filter.stage), prefix: '' }
      : filter.ownerId
        ? {
            index: 'GSI2' as const,
            pk: keys.leadOwnerPk(this.tenantId, filter.ownerId),
            prefix: '',
          }
        : { index: undefined, pk: keys.tenant(this.tenantId).PK, prefix: 'LEAD#' };
    const lower = `${source.prefix}${filter.from ? leadIdBound(filter.from, 'from') : 'ld_'}`;
    const upper = `${source.prefix}${filter.to ? leadIdBound(filter.to, 'to') : 'ld_~'}`;

    const conditions: string[] = [];
    const names: Names = {};
    const values: Values = {};
    if (filter.deleted) conditions.push('attribute_exists(deletedAt)');
    else conditions.push('attribute_not_exists(deletedAt)');
    if (filter.formId) {
      conditions.push('formId = :formId');
      values[':formId'] = filter.formId;
    }
    if (filter.stage && filter.ownerId) {
      conditions.push('ownerId = :ownerId');
      values[':ownerId'] = filter.ownerId;
    }
    if (filter.q) {
      const folded = foldForSearch(filter.q);
      const digits = filter.q.replace(/\D/g, '');
      names['#search'] = 'search';
      values[':q'] = folded;
      if (digits.length >= 3 && digits.length !== folded.length) {
        conditions.push('(contains(#search, :q) OR contains(#search, :digits))');
        values[':digits'] = digits;
      } else conditions.push('contains(#search, :q)');
    }

    const items: Lead[] = [];
    let startKey: Item | undefined = afterId ? this.startKeyOf(source, afterId) : undefined;
    let scanned = 0;
    while (scanned < maxScanned) {
      const page = await this.db.query({
        pk: source.pk,
        index: source.index,
        sk: { between: [lower, upper] },
        newestFirst: true,
        limit: Math.min(Math.max(limit * 2, 25), maxScanned - scanned, 200),
        startKey,
        filter: { expression: conditions.join(' AND '), names, values },
      });
      for (const item of page.items) {
        items.push(toLead(item));
        if (items.length >= limit) return { items, lastId: item.id };
      }
      scanned += Math.min(Math.max(limit * 2, 25), 200);
      if (!page.lastKey) return { items };
      startKey = page.lastKey;
    }
    // Budget spent: resume from the last key read (it may not be a returned item).
    const resumeId = startKey ? String(startKey.SK).replace(/^LEAD#/, '') : undefined;
    return { items, lastId: resumeId };
  }

  private startKeyOf(source: { index?: 'GSI1' | 'GSI2'; pk: string }, leadId: string): Item {
    const base = keys.lead(this.tenantId, leadId);
    if (source.index === 'GSI1') return { ...base, GSI1PK: source.pk, GSI1SK: leadId };
    if (source.index === 'GSI2') return { ...base, GSI2PK: source.pk, GSI2SK: leadId };
    return base;
  }
}
