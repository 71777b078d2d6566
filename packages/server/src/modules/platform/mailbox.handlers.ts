import { NotFoundError } from '../../engine/errors';
import type { HandlerTable } from '../../engine/http/route-handler';

// The sandbox's outgoing mail for the platform admin (`/app/admin/mail/`): every message the
// sandbox "sent" is a file under its data dir. Deployed there is no mailbox (SES delivers the
// mail), so both routes answer 404.

export const mailboxHandlers = {
  'admin.mail.list': async ({ c, deps, query }) => {
    if (!deps.mailbox) throw new NotFoundError('Mailbox');
    return c.json({ items: await deps.mailbox.list(query.limit) });
  },
  'admin.mail.get': async ({ c, deps, params }) => {
    const message = await deps.mailbox?.get(params.id);
    if (!message) throw new NotFoundError('Message');
    return c.json(message);
  },
} satisfies Partial<HandlerTable>;
