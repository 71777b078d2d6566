import { z } from 'zod';

// Consent to be messaged on WhatsApp outside a conversation the customer opened (broadcasts,
// template sends): recorded per phone number, because that is what Meta's quality rating and a
// customer's STOP are about, whichever contact record holds the number after merges. Every change
// keeps its evidence and is kept in the history; the current state is the latest change.

export const consentChannelSchema = z.enum(['whatsapp']);
export type ConsentChannel = z.infer<typeof consentChannelSchema>;

/** `unknown`: no change recorded. Broadcasts reach only `opted_in`. */
export const consentStatusSchema = z.enum(['opted_in', 'opted_out', 'unknown']);
export type ConsentStatus = z.infer<typeof consentStatusSchema>;

const isoTime = z.string().describe('ISO 8601 time.');

/** Why a number's consent changed: what the customer ticked or wrote, or who entered it. */
export const consentEvidenceSchema = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('form'),
    formId: z.string(),
    leadId: z.string().optional(),
    /** The consent box's label exactly as the person saw it. */
    label: z.string(),
    pageUrl: z.string().optional(),
  }),
  z.object({
    source: z.literal('keyword'),
    /** The keyword as matched (upper case), and the language whose list it is in. */
    keyword: z.string(),
    language: z.string(),
    messageId: z.string(),
  }),
  z.object({
    source: z.literal('manual'),
    userId: z.string(),
    note: z.string(),
  }),
]);
export type ConsentEvidence = z.infer<typeof consentEvidenceSchema>;

export const consentChangeSchema = z.object({
  id: z.string(),
  status: z.enum(['opted_in', 'opted_out']),
  at: isoTime,
  evidence: consentEvidenceSchema,
});
export type ConsentChange = z.infer<typeof consentChangeSchema>;

export const consentSchema = z.object({
  channel: consentChannelSchema,
  /** The number in E.164. */
  address: z.string(),
  status: consentStatusSchema,
  /** The change that set the status; absent while `unknown`. */
  latest: consentChangeSchema.optional(),
});
export type Consent = z.infer<typeof consentSchema>;

export const customerConsentResponseSchema = z.object({
  /** Empty for a contact without a phone number. */
  items: z.array(consentSchema.extend({ history: z.array(consentChangeSchema) })),
});

export const setConsentRequestSchema = z
  .object({
    channel: consentChannelSchema.default('whatsapp'),
    status: z.enum(['opted_in', 'opted_out']),
    note: z
      .string()
      .trim()
      .min(1, 'Say where this consent comes from.')
      .max(500)
      .describe('The evidence: how the customer agreed or asked to stop (kept in the audit).'),
  })
  .strict();
export type SetConsentRequest = z.infer<typeof setConsentRequestSchema>;

/**
 * How a keyword is compared: accents, punctuation and case aside, spaces collapsed. “Stop!”,
 * “stop” and “ STOP ” are one word; so are “Arrêt” and “ARRET”.
 */
export function consentKeywordKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const keyword = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .transform((k) => k.toUpperCase())
  .refine((k) => consentKeywordKey(k) !== '', 'A keyword needs a letter or a digit.');

/** Per-language keywords a customer can write, and the reply each one gets. */
export const consentKeywordLanguageSchema = z
  .object({
    language: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'A language code such as en or pt-BR.'),
    optOut: z.array(keyword).max(20),
    optIn: z.array(keyword).max(20),
    optOutReply: z.string().trim().min(1).max(1024),
    optInReply: z.string().trim().min(1).max(1024),
  })
  .strict();

export const consentKeywordsSchema = z
  .object({ languages: z.array(consentKeywordLanguageSchema).min(1).max(20) })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Map<string, 'optOut' | 'optIn'>();
    value.languages.forEach((lang, i) => {
      for (const [list, words] of [
        ['optOut', lang.optOut],
        ['optIn', lang.optIn],
      ] as const) {
        for (const word of words) {
          // Compared as a message is matched: `ARRET` and `ARRÊT` are one word.
          const key = consentKeywordKey(word);
          const other = seen.get(key);
          if (other && other !== list) {
            ctx.addIssue({
              code: 'custom',
              path: ['languages', i, list],
              message: `${word} is both an opt-out and an opt-in keyword.`,
            });
          }
          seen.set(key, list);
        }
      }
    });
  });
export type ConsentKeywords = z.infer<typeof consentKeywordsSchema>;

/** What a new workspace starts with; STOP and its usual equivalents in five languages. */
export const defaultConsentKeywords: ConsentKeywords = {
  languages: [
    {
      language: 'en',
      optOut: ['STOP', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPT OUT'],
      optIn: ['START', 'UNSTOP', 'SUBSCRIBE'],
      optOutReply:
        'You will no longer receive messages from us here. Reply START to subscribe again.',
      optInReply: 'You are subscribed again. Reply STOP to unsubscribe.',
    },
    {
      language: 'es',
      optOut: ['BAJA', 'PARAR', 'CANCELAR SUSCRIPCION', 'DETENER'],
      optIn: ['ALTA', 'SUSCRIBIR'],
      optOutReply: 'Ya no recibirás nuestros mensajes por aquí. Responde ALTA para volver.',
      optInReply: 'Te has suscrito de nuevo. Responde BAJA para darte de baja.',
    },
    {
      language: 'pt',
      optOut: ['SAIR', 'CANCELAR', 'DESCADASTRAR'],
      optIn: ['VOLTAR', 'INSCREVER'],
      optOutReply: 'Você não receberá mais nossas mensagens aqui. Responda VOLTAR para voltar.',
      optInReply: 'Sua inscrição foi renovada. Responda SAIR para cancelar.',
    },
    {
      language: 'fr',
      optOut: ['ARRET', 'ARRÊT', 'DESABONNER', 'DÉSABONNER'],
      optIn: ['REPRENDRE', 'ABONNER'],
      optOutReply: 'Vous ne recevrez plus nos messages ici. Répondez REPRENDRE pour revenir.',
      optInReply: 'Vous êtes de nouveau abonné. Répondez ARRET pour vous désabonner.',
    },
    {
      language: 'de',
      optOut: ['STOPP', 'ABMELDEN', 'ABBESTELLEN'],
      optIn: ['ANMELDEN'],
      optOutReply: 'Sie erhalten hier keine Nachrichten mehr von uns. Antworten Sie ANMELDEN.',
      optInReply: 'Sie sind wieder angemeldet. Antworten Sie STOPP zum Abmelden.',
    },
  ],
};
