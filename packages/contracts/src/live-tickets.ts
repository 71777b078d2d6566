import { z } from 'zod';

// A live ticket: what a signed-in member trades their access token for before opening the live
// socket. Browsers cannot set headers on a WebSocket, and a JWT in a URL would sit in logs for
// its whole lifetime; a ticket is random, single use and dead after a few seconds.

export const liveTicketSchema = z.object({
  ticket: z.string().describe('Single use: passed as `?ticket=` when opening `url`.'),
  url: z
    .string()
    .describe('Where the live socket is: the WebSocket stage deployed, `ws://…/live` locally.'),
  expiresAt: z.string().describe('The ticket is refused after this (ISO 8601).'),
});
export type LiveTicket = z.infer<typeof liveTicketSchema>;

/** Close codes the live socket uses (the 4000–4999 range is the application's). */
export const liveCloseCodes = {
  /** The session ended (sign-out, revoked, password changed or reset, account disabled). */
  sessionEnded: 4401,
  /** The membership or the workspace no longer allows it (removed, suspended). */
  forbidden: 4403,
} as const;
