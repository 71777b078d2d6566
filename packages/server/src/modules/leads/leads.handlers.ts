import type { listLeadsQuerySchema } from '@switchboard/contracts';
import { z } from 'zod';
import { FormPointerRepo } from './form.repo';
import type { Lead, LeadFilter } from './lead.repo';
import { updateLead } from './lead-update.service';
import { csvLine } from './csv';
import { importLeads } from './import.service';
import { checkIdempotencyKey, ingestSubmission } from './ingest.service';
import { leadSyncEvent } from './lead-events';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import type { TenantCaller } from '../../engine/http/auth-context';
import { decodeCursor, encodeCursor } from '../../engine/http/validate';
import { leadView } from './lead-view';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

const leadCursor = z.object({ id: z.string().regex(/^ld_[0-9a-z~]{1,40}$/) });
const notesCursor = z.object({ sk: z.string().startsWith('LEADNOTE#').max(256) });

const EXPORT_MAX_ROWS = 10_000;
const coreColumns = [
  'id',
  'createdAt',
  'updatedAt',
  'stage',
  'ownerId',
  'name',
  'email',
  'phone',
  'company',
  'source',
  'formId',
  'tags',
] as const;

function filterOf(query: z.infer<typeof listLeadsQuerySchema>): LeadFilter {
  return {
    stage: query.stage,
    ownerId: query.ownerId,
    formId: query.formId,
    from: query.from,
    to: query.to,
    q: query.q,
    deleted: query.deleted === 'true',
  };
}

async function requireLead(caller: TenantCaller, id: string): Promise<Lead> {
  const lead = await caller.data.leads.get(id);
  if (!lead) throw new NotFoundError('Lead');
  return lead;
}

function actorRef(caller: TenantCaller): { kind: 'user' | 'apiKey'; id: string } {
  const actor = caller.ctx.actor;
  return actor.kind === 'apiKey'
    ? { kind: 'apiKey', id: actor.keyId }
    : { kind: 'user', id: caller.userId ?? 'system' };
}

export const leadHandlers = {
  'leads.create': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const input = await body();
    let form;
    if (input.formId) {
      const published = await new FormPointerRepo(deps.db).get(input.formId);
      // Another tenant's form answers like a missing one.
      if (!published || published.tenantId !== tenant.ctx.tenantId || !published.live) {
        throw new NotFoundError('Form');
      }
      form = {
        formId: published.formId,
        version: published.version,
        definition: published.definition,
      };
    }
    const actor = actorRef(tenant);
    const outcome = await ingestSubmission(
      { db: deps.db, bus: deps.leads.bus, now: nowOf(deps) },
      {
        tenantId: tenant.ctx.tenantId,
        source: 'api',
        form,
        fields: input.fields,
        idempotencyKey: checkIdempotencyKey(c.req.header('idempotency-key')),
        meta: { [actor.kind === 'apiKey' ? 'apiKeyId' : 'userId']: actor.id },
        data: tenant.data,
      },
    );
    return c.json(outcome.body as object, outcome.status as 202);
  },

  'leads.list': async ({ c, caller, query }) => {
    const { data } = tenantOf(caller);
    if (query.customerId) {
      // A contact's leads: one timeline across chats and forms.
      const ids = await data.contacts.leadIdsOf(query.customerId);
      const leads = ids.length ? await data.leads.getMany(ids.slice(0, 100)) : [];
      return c.json({
        items: leads
          .filter((l) => !l.deletedAt)
          .sort((a, b) => (a.id < b.id ? 1 : -1))
          .map(leadView),
        nextCursor: null,
      });
    }
    const cursor = decodeCursor(query.cursor, leadCursor);
    const page = await data.leads.list(filterOf(query), query.limit, cursor?.id);
    return c.json({
      items: page.items.map(leadView),
      nextCursor: page.lastId ? encodeCursor({ id: page.lastId }) : null,
    });
  },

  'leads.get': async ({ c, caller, params }) => {
    const tenant = tenantOf(caller);
    const lead = await requireLead(tenant, params.id);
    const [customer, submissions] = await Promise.all([
      tenant.data.customers.get(lead.customerId),
      tenant.data.submissions.getMany(lead.submissionIds.slice(0, 25)),
    ]);
    return c.json({
      ...leadView(lead),
      contact: customer ?? { id: lead.customerId },
      submissions: submissions.map((s) => ({
        id: s.id,
        source: s.source,
        formId: s.formId,
        formVersion: s.formVersion,
        submittedAt: s.submittedAt,
        fields: s.raw,
      })),
    });
  },

  'leads.update': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const lead = await updateLead(
      { data, bus: deps.leads.bus, now: nowOf(deps) },
      params.id,
      await body(),
    );
    return c.json(leadView(lead));
  },

  'leads.delete': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const id = params.id;
    const outcome = await tenant.data.leads.softDelete(id, nowOf(deps).toISOString());
    if (outcome === 'missing') throw new NotFoundError('Lead');
    if (outcome === 'deleted')
      await audit(c, caller, deps, { action: 'lead.deleted', target: { type: 'lead', id } });
    return c.body(null, 204);
  },

  'leads.restore': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const id = params.id;
    const lead = await tenant.data.leads.restore(id, nowOf(deps).toISOString());
    if (!lead) throw new NotFoundError('Lead');
    await audit(c, caller, deps, { action: 'lead.restored', target: { type: 'lead', id } });
    return c.json(leadView(lead));
  },

  'leads.notes.create': async ({ c, caller, deps, params, body }) => {
    const tenant = tenantOf(caller);
    const lead = await requireLead(tenant, params.id);
    const input = await body();
    const note = {
      id: randomId('nt'),
      leadId: lead.id,
      body: input.body,
      author: actorRef(tenant),
      createdAt: nowOf(deps).toISOString(),
    };
    await tenant.data.leadNotes.add(note);
    return c.json(note, 201);
  },

  'leads.notes.list': async ({ c, caller, params, query }) => {
    const tenant = tenantOf(caller);
    const lead = await requireLead(tenant, params.id);
    const cursor = decodeCursor(query.cursor, notesCursor);
    if (cursor && !cursor.sk.startsWith(`LEADNOTE#${lead.id}#`)) {
      throw new AppError('bad_request', 'The cursor is not valid.', { param: 'cursor' });
    }
    const page = await tenant.data.leadNotes.list(lead.id, query.limit, cursor?.sk);
    return c.json({
      items: page.items,
      nextCursor: page.lastSk ? encodeCursor({ sk: page.lastSk }) : null,
    });
  },

  'leads.sync': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const lead = await requireLead(tenant, params.id);
    if (lead.deletedAt) throw new NotFoundError('Lead');
    const jobId = randomId('job');
    await tenant.data.leads.setSync(lead.id, { ...lead.sync, status: 'pending', jobId });
    await deps.leads.bus.publish([
      leadSyncEvent({ tenantId: tenant.data.tenantId, leadId: lead.id, jobId, reason: 'manual' }),
    ]);
    return c.json({ leadId: lead.id, jobId }, 202);
  },

  'leads.export': async ({ c, caller, deps, query }) => {
    const tenant = tenantOf(caller);
    const filter = filterOf({ ...query, limit: 100 });
    const leads: Lead[] = [];
    let after: string | undefined;
    do {
      const page = await tenant.data.leads.list(filter, 200, after, 2000);
      leads.push(...page.items);
      after = page.lastId;
    } while (after && leads.length < EXPORT_MAX_ROWS);
    const customKeys = [...new Set(leads.flatMap((l) => Object.keys(l.custom)))].sort();
    const utmKeys = [...new Set(leads.flatMap((l) => Object.keys(l.utm ?? {})))].sort();
    let csv = csvLine([...coreColumns, ...utmKeys, ...customKeys]);
    for (const lead of leads.slice(0, EXPORT_MAX_ROWS)) {
      csv += csvLine([
        ...coreColumns.map((k) => lead[k]),
        ...utmKeys.map((k) => lead.utm?.[k]),
        ...customKeys.map((k) => lead.custom[k]),
      ]);
    }
    await audit(c, caller, deps, {
      action: 'leads.exported',
      details: { rows: Math.min(leads.length, EXPORT_MAX_ROWS) },
    });
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="leads.csv"');
    if (leads.length > EXPORT_MAX_ROWS || after) c.header('X-Truncated', 'true');
    return c.body(csv);
  },

  'leads.import': async ({ c, caller, deps }) => {
    const tenant = tenantOf(caller);
    const type = c.req.header('content-type') ?? '';
    if (!/^text\/csv\b/i.test(type)) {
      throw new AppError('unsupported_media_type', 'Send the file as text/csv.');
    }
    const result = await importLeads(
      { db: deps.db, bus: deps.leads.bus, now: nowOf(deps) },
      {
        tenantId: tenant.data.tenantId,
        csv: await c.req.text(),
        pipeline: await tenant.data.pipeline.get(),
        actor: actorRef(tenant),
      },
    );
    await audit(c, caller, deps, {
      action: 'leads.imported',
      details: { accepted: result.accepted, rejected: result.rejected.length },
    });
    return c.json(result, 202);
  },

  'pipeline.get': async ({ c, caller }) => {
    const { data } = tenantOf(caller);
    return c.json(await data.pipeline.get());
  },

  'pipeline.update': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    const current = await data.pipeline.get();
    const kept = new Set(input.stages.map((s) => s.id));
    for (const stage of current.stages) {
      if (!kept.has(stage.id) && (await data.leads.anyInStage(stage.id))) {
        throw new AppError(
          'stage_in_use',
          `Leads are still in stage "${stage.name}"; move them first.`,
          {
            stage: stage.id,
          },
        );
      }
    }
    await data.pipeline.put(input, nowOf(deps).toISOString());
    await audit(c, caller, deps, { action: 'pipeline.updated' });
    return c.json(await data.pipeline.get());
  },
} satisfies Partial<HandlerTable>;
