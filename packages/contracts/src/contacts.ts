import { z } from 'zod';

// Contacts an agent creates and edits (the tenant's customers, `/customers`): their fields, custom
// attributes, tags, and merging two into one. The stored record is `customerSchema` (messaging.ts).

/** A customer id as the server makes them: `wa-<digits>`, `ig-<igsid>`, `em-<hex>`, `ct-<hex>`. */
export const customerIdSchema = z
  .string()
  .regex(/^(wa|ig|em|ct)-[0-9A-Za-z]{1,64}$/, 'Not a contact id.');

export const contactLimits = {
  attributes: 50,
  attributeKey: 40,
  attributeText: 500,
  tags: 30,
  tag: 40,
} as const;

export const contactAttributeValueSchema = z.union([
  z.string().trim().max(contactLimits.attributeText),
  z.number().finite(),
  z.boolean(),
]);

/** Custom attributes: up to 50 keys (a letter, then letters, digits or _), short values. */
export const contactAttributesSchema = z
  .record(
    z
      .string()
      .regex(
        new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${contactLimits.attributeKey - 1}}$`),
        'A letter, then letters, digits or _ (at most 40).',
      ),
    contactAttributeValueSchema,
  )
  .refine((attrs) => Object.keys(attrs).length <= contactLimits.attributes, {
    message: `At most ${contactLimits.attributes} attributes.`,
  })
  .describe('Custom attributes: the whole set (a key left out is removed).');
export type ContactAttributes = z.infer<typeof contactAttributesSchema>;

export const contactTagsSchema = z
  .array(z.string().trim().min(1).max(contactLimits.tag))
  .max(contactLimits.tags)
  .transform((tags) => [...new Set(tags)])
  .describe('Tags: the whole list (duplicates are dropped).');

const name = z.string().trim().min(1).max(120);
const email = z.string().trim().max(254).pipe(z.email('Not an e-mail address.'));
const phone = z
  .string()
  .trim()
  .min(3, 'That is not a phone number we can reach.')
  .max(32)
  .describe('Any format: stored in E.164 with the workspace’s default country.');
const company = z.string().trim().min(1).max(120);

export const createContactRequestSchema = z
  .object({
    name: name.optional(),
    email: email.optional(),
    phone: phone.optional(),
    company: company.optional(),
    attributes: contactAttributesSchema.optional(),
    tags: contactTagsSchema.optional(),
    clientKey: z
      .string()
      .min(1)
      .max(120)
      .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces.')
      .optional()
      .describe(
        'Makes a retry safe for a contact without phone or e-mail: the same key is the same contact.',
      ),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.email !== undefined || b.phone !== undefined, {
    message: 'Give at least a name, an e-mail or a phone number.',
    path: ['name'],
  })
  .describe(
    'A contact with a phone is the WhatsApp contact of that number; with an e-mail, the contact that address belongs to: creating one again answers the same contact.',
  );
export type CreateContactRequest = z.infer<typeof createContactRequestSchema>;

export const updateContactRequestSchema = z
  .object({
    name: name.nullable().optional(),
    email: email.nullable().optional(),
    phone: phone.nullable().optional(),
    company: company.nullable().optional(),
    attributes: contactAttributesSchema.optional(),
    tags: contactTagsSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'Change at least one field.', path: [] })
  .describe('Only the fields given change; `null` clears one.');
export type UpdateContactRequest = z.infer<typeof updateContactRequestSchema>;

export const mergeContactRequestSchema = z
  .object({
    sourceId: customerIdSchema.describe('The contact merged into this one: it becomes a pointer.'),
  })
  .strict();
export type MergeContactRequest = z.infer<typeof mergeContactRequestSchema>;
