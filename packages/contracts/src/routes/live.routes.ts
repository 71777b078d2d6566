import { liveTicketSchema } from '../live-tickets';
import { defineRoutes } from '../route-contract';

export const liveRoutes = defineRoutes({
  'live.tickets.create': {
    method: 'POST',
    path: '/live/tickets',
    // No scope: API keys are refused. A socket belongs to a person's session, and closes with it.
    access: { kind: 'tenant', role: 'viewer' },
    tag: 'Live',
    summary: 'A single-use ticket to open the live updates socket',
    description:
      'Open `url` with `?ticket=<ticket>` within 30 seconds. The socket then receives the workspace events (`LiveEvent`) this member may see, and is closed (code 4401 or 4403) when the session ends, the membership is removed or the workspace is suspended. The socket takes nothing from the client but pings. A ticket opens one socket: a second use is refused.',
    maxBodyBytes: 1024,
    responses: { 201: { description: 'The ticket.', schema: liveTicketSchema } },
    errors: ['service_unavailable'],
  },
});
