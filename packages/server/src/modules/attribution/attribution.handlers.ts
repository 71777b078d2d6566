import type { HandlerTable } from '../../engine/http/route-handler';
import { tenantOf } from '../../engine/http/tenant-caller';
import { AppError } from '../../engine/errors';

export const attributionHandlers = {
  'customers.attribution.get': async ({ c, caller, params }) => {
    const data = tenantOf(caller).data;
    const customer = await data.customers.get(params.id);
    if (!customer) throw new AppError('not_found', 'No such contact.');
    // A merged contact's touches were recorded on it before the merge: read the survivor's.
    return c.json({ attribution: await data.attribution.get('contact', customer.id) });
  },
  'leads.attribution.get': async ({ c, caller, params }) => {
    const data = tenantOf(caller).data;
    const lead = await data.leads.get(params.id);
    if (!lead) throw new AppError('not_found', 'No such lead.');
    return c.json({ attribution: await data.attribution.get('lead', lead.id) });
  },
  'reports.sources': async ({ c, caller, query }) => {
    const data = tenantOf(caller).data;
    return c.json(await data.attribution.sourcesReport(query.from, query.to));
  },
} satisfies Partial<HandlerTable>;
