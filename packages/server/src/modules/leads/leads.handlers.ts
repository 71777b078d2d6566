import type { listLeadsQuerySchema } from '@switchboard/contracts';
import { z } from 'zod';
import { tenantLiveForm } from './public-forms.service';
import type { LeadFilter } from './lead.repo';
import {
  addLeadNote,
  exportLeadsCsv,
  leadDetail,
  leadsOfContact,
  replacePipeline,
  requestLeadSync,
  requireLead,
} from './leads.service';
import { updateLead } from './lead-update.service';
import { importLeads } from './import.service';
import { checkIdempotencyKey, ingestSubmission } from './ingest.service';
import { AppError, NotFoundError } from '../../engine/errors';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import type { TenantCaller } from '../../engine/http/auth-context';
import { leadView } from './lead-view';
import type { Customer } from '../messaging/customer.repo';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

const leadCursor = z.object({ id: z.string().regex(/^ld_[0-9a-z~]{1,40}$/) });
const notesCursor = z.object({ sk: z.string().startsWith('LEADNOTE#').max(256) });

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

function actorRef(caller: TenantCaller): { kind: 'user' | 'apiKey'; id: string } {
  const actor = caller.ctx.actor;
  return actor.kind === 'apiKey'
    ? { kind: 'apiKey', id: actor.keyId }
    : { kind: 'user', id: caller.userId ?? 'system' };
}

/** A lead's contact: the customer record without its Instagram profile (leadDetailSchema). */
function contactView(customer: Customer) {
  const {
    username: _username,
    avatarKey: _avatarKey,
    profileRefreshedAt: _at,
    // The contact's own page shows these (customers.get); a lead's contact does not.
    mergedFrom: _mergedFrom,
    attributes: _attributes,
    tags: _tags,
    leadIds: _leadIds,
    ...contact
  } = customer;
  return contact;
}

export const leadHandlers = {
  'leads.create': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const input = await body();
    const form = input.formId
      ? await tenantLiveForm(deps.db, tenant.ctx.tenantId, input.formId)
      : undefined;
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
        defaultCountry: (await tenant.data.branding.get()).defaultCountry,
      },
    );
    return c.json(outcome.body as object, outcome.status as 202);
  },

  'leads.list': async ({ c, caller, query, cursors }) => {
    const { data } = tenantOf(caller);
    if (query.customerId) {
      const leads = await leadsOfContact(data, query.customerId);
      return c.json({ items: leads.map(leadView), nextCursor: null });
    }
    const cursor = await cursors.read(leadCursor);
    const page = await data.leads.list(filterOf(query), query.limit, cursor?.id);
    return c.json({
      items: page.items.map(leadView),
      nextCursor: await cursors.next(page.lastId ? { id: page.lastId } : null),
    });
  },

  'leads.get': async ({ c, caller, params }) => {
    const { lead, customer, submissions } = await leadDetail(tenantOf(caller).data, params.id);
    return c.json({
      ...leadView(lead),
      contact: customer ? contactView(customer) : { id: lead.customerId },
      submissions: submissions.map((s) => ({
        id: s.id,
        source: s.source,
        formId: s.formId,
        formVersion: s.formVersion,
        submittedAt: s.submittedAt,
        fields: s.values,
      })),
    });
  },

  'leads.update': async ({ c, caller, deps, params, body }) => {
    const { data } = tenantOf(caller);
    const lead = await updateLead({ data, now: nowOf(deps) }, params.id, await body());
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
    // The lead first: a missing one answers 404 whatever the body.
    const lead = await requireLead(tenant.data, params.id);
    const { body: text } = await body();
    const note = await addLeadNote(tenant.data, lead, {
      body: text,
      author: actorRef(tenant),
      now: nowOf(deps),
    });
    return c.json(note, 201);
  },

  'leads.notes.list': async ({ c, caller, params, query, cursors }) => {
    const tenant = tenantOf(caller);
    const lead = await requireLead(tenant.data, params.id);
    const cursor = await cursors.read(notesCursor);
    if (cursor && !cursor.sk.startsWith(`LEADNOTE#${lead.id}#`)) {
      throw new AppError('bad_request', 'The cursor is not valid.', { param: 'cursor' });
    }
    const page = await tenant.data.leadNotes.list(lead.id, query.limit, cursor?.sk);
    return c.json({
      items: page.items,
      nextCursor: await cursors.next(page.lastSk ? { sk: page.lastSk } : null),
    });
  },

  'leads.sync': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    return c.json(await requestLeadSync({ data, now: nowOf(deps) }, params.id), 202);
  },

  'leads.export': async ({ c, caller, deps, query }) => {
    const tenant = tenantOf(caller);
    const { csv, rows, truncated } = await exportLeadsCsv(
      tenant.data,
      filterOf({ ...query, limit: 100 }),
    );
    await audit(c, caller, deps, { action: 'leads.exported', details: { rows } });
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="leads.csv"');
    if (truncated) c.header('X-Truncated', 'true');
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
        defaultCountry: (await tenant.data.branding.get()).defaultCountry,
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
    const pipeline = await replacePipeline(tenantOf(caller).data, await body(), nowOf(deps));
    await audit(c, caller, deps, { action: 'pipeline.updated' });
    return c.json(pipeline);
  },
} satisfies Partial<HandlerTable>;
