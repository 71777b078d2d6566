import { z } from 'zod';
import { conversationSchema } from './conversations';

// Who works which conversation: snoozing one, acting on many at once (bulk), the per-channel
// auto-assignment (round robin among available members) and each member's availability.

/** The furthest a snooze may reach. */
export const snoozeMaxDays = 90;
/** The most conversations one bulk request acts on. */
export const bulkMaxIds = 100;

const isoDateTime = z.iso.datetime({ offset: true });

export const snoozeConversationRequestSchema = z
  .object({
    /** When it wakes by itself: in the future, at most 90 days ahead. */
    until: isoDateTime.optional(),
    /** Snoozed until the customer writes. Any customer message wakes a snoozed conversation. */
    untilReply: z.boolean().optional(),
  })
  .refine((body) => body.until !== undefined || body.untilReply === true, {
    message: 'Give `until`, or `untilReply: true`.',
    path: ['until'],
  });
export type SnoozeConversationRequest = z.infer<typeof snoozeConversationRequestSchema>;

export const bulkActions = [
  'assign',
  'unassign',
  'close',
  'reopen',
  'snooze',
  'unsnooze',
  'label',
  'unlabel',
] as const;
export const bulkActionSchema = z.enum(bulkActions);
export type BulkAction = z.infer<typeof bulkActionSchema>;

export const bulkConversationsRequestSchema = z
  .object({
    ids: z.array(z.string().min(1).max(128)).min(1).max(bulkMaxIds),
    action: bulkActionSchema,
    /** `assign`: the member to assign to. */
    assigneeId: z.string().min(1).max(128).optional(),
    /** `label`, `unlabel`: the label (`GET /labels`). */
    labelId: z.string().min(1).max(128).optional(),
    /** `snooze`: as `POST /conversations/{id}/snooze`. */
    until: isoDateTime.optional(),
    untilReply: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.action === 'assign' && !body.assigneeId) {
      ctx.addIssue({ code: 'custom', path: ['assigneeId'], message: 'Whom to assign to.' });
    }
    if ((body.action === 'label' || body.action === 'unlabel') && !body.labelId) {
      ctx.addIssue({ code: 'custom', path: ['labelId'], message: 'Which label.' });
    }
    if (body.action === 'snooze' && body.until === undefined && body.untilReply !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['until'],
        message: 'Give `until`, or `untilReply: true`.',
      });
    }
  });
export type BulkConversationsRequest = z.infer<typeof bulkConversationsRequestSchema>;

export const bulkResultSchema = z.object({
  id: z.string(),
  ok: z.boolean(),
  /** The conversation after the action (ok rows). */
  conversation: conversationSchema.optional(),
  /** Why this one failed (`not_found` for an id this workspace has no conversation under). */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type BulkResultDto = z.infer<typeof bulkResultSchema>;

export const bulkConversationsResponseSchema = z.object({
  action: bulkActionSchema,
  /** One row per distinct id, in the order sent. */
  results: z.array(bulkResultSchema),
  succeeded: z.number().int(),
  failed: z.number().int(),
});
export type BulkConversationsResponse = z.infer<typeof bulkConversationsResponseSchema>;

export const availabilitySchema = z.object({
  /** Available members take auto-assigned conversations; a member who never chose is available. */
  available: z.boolean(),
  changedAt: z.string().optional(),
});
export type AvailabilityDto = z.infer<typeof availabilitySchema>;

export const setAvailabilityRequestSchema = z.object({ available: z.boolean() });

export const autoAssignmentSchema = z.object({
  enabled: z.boolean(),
  /** Who takes turns; empty: every member with the agent role or above. */
  memberIds: z.array(z.string()),
});
export type AutoAssignmentDto = z.infer<typeof autoAssignmentSchema>;

export const setAutoAssignmentRequestSchema = z.object({
  enabled: z.boolean(),
  memberIds: z
    .array(z.string().min(1).max(128))
    .max(100)
    .optional()
    .refine((ids) => !ids || new Set(ids).size === ids.length, 'Each member once.'),
});
export type SetAutoAssignmentRequest = z.infer<typeof setAutoAssignmentRequestSchema>;
