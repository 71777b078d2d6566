import { cannedRepliesPerTenantMax } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { CannedReply } from './canned-reply.repo';

// Canned replies: tenant-wide answers admins manage and agents insert with `/` in the composer.
// The content's variables were checked by the contract (canned-reply-variables.ts in contracts,
// the same parser the web composer renders with); short codes arrive lower-cased.

const codeTaken = () =>
  new AppError('short_code_taken', 'Another canned reply already uses that short code.', {
    fields: { shortCode: 'Another canned reply already uses that short code.' },
  });

export async function createCannedReply(
  data: TenantData,
  input: { shortCode: string; content: string },
  createdBy: string | undefined,
  now: Date,
): Promise<CannedReply> {
  const existing = await data.cannedReplies.list();
  if (existing.some((r) => r.shortCode === input.shortCode)) throw codeTaken();
  if (existing.length >= cannedRepliesPerTenantMax) {
    throw new AppError(
      'limit_reached',
      `A workspace holds at most ${cannedRepliesPerTenantMax} canned replies.`,
    );
  }
  const at = now.toISOString();
  const reply: CannedReply = {
    id: randomId('cr'),
    ...input,
    createdAt: at,
    updatedAt: at,
    ...(createdBy ? { createdBy } : {}),
  };
  if (!(await data.cannedReplies.claimShortCode(reply.shortCode, reply.id))) throw codeTaken();
  await data.cannedReplies.create(reply);
  return reply;
}

export async function updateCannedReply(
  data: TenantData,
  replyId: string,
  patch: { shortCode?: string; content?: string },
  now: Date,
): Promise<CannedReply> {
  const reply = await data.cannedReplies.get(replyId);
  if (!reply) throw new NotFoundError('Canned reply');
  const recoded = patch.shortCode !== undefined && patch.shortCode !== reply.shortCode;
  if (recoded && !(await data.cannedReplies.claimShortCode(patch.shortCode!, replyId))) {
    throw codeTaken();
  }
  const updated = await data.cannedReplies.update(replyId, patch, now.toISOString());
  if (!updated) {
    if (recoded) await data.cannedReplies.releaseShortCode(patch.shortCode!, replyId);
    throw new NotFoundError('Canned reply');
  }
  if (recoded) await data.cannedReplies.releaseShortCode(reply.shortCode, replyId);
  return updated;
}

export async function deleteCannedReply(data: TenantData, replyId: string): Promise<CannedReply> {
  const reply = await data.cannedReplies.get(replyId);
  if (!reply) throw new NotFoundError('Canned reply');
  if (!(await data.cannedReplies.delete(replyId))) throw new NotFoundError('Canned reply');
  await data.cannedReplies.releaseShortCode(reply.shortCode, replyId);
  return reply;
}
