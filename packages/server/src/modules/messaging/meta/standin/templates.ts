// The message templates the stand-in serves for every WABA unless a test sets others: approved
// ones with positional and named parameters, one with an image header and dynamic buttons, and a
// pending and a rejected one (never listed as
// sendable by the API, which keeps APPROVED only).

export type StandInTemplate = {
  id: string;
  name: string;
  language: string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED';
  category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
};

export const defaultTemplates: StandInTemplate[] = [
  {
    id: '1071000000000001',
    name: 'hello_world',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      {
        type: 'BODY',
        text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
      },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  },
  {
    id: '1071000000000002',
    name: 'order_update',
    language: 'pt_BR',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.',
        example: { body_text: [['Ana', '#1042']] },
      },
    ],
  },
  {
    id: '1071000000000003',
    name: 'appointment_reminder',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{first_name}}, this is a reminder of your visit on {{date}}.',
        example: {
          body_text_named_params: [
            { param_name: 'first_name', example: 'Ana' },
            { param_name: 'date', example: 'Friday 10:00' },
          ],
        },
      },
    ],
  },
  {
    // Every component kind with a parameter: an image header, body variables, and a URL button
    // with a variable suffix beside a quick reply.
    id: '1071000000000006',
    name: 'order_shipped',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'HEADER',
        format: 'IMAGE',
        example: { header_handle: ['https://scontent.whatsapp.net/v/t61/order-shipped.jpg'] },
      },
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} is on its way.',
        example: { body_text: [['Ana', '#1042']] },
      },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      {
        type: 'BUTTONS',
        buttons: [
          {
            type: 'URL',
            text: 'Track your order',
            url: 'https://shop.example.com/track/{{1}}',
            example: ['https://shop.example.com/track/1042'],
          },
          { type: 'QUICK_REPLY', text: 'Talk to us' },
        ],
      },
    ],
  },
  {
    id: '1071000000000004',
    name: 'summer_promo',
    language: 'en_US',
    status: 'PENDING',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Summer sale: {{1}} off everything.' }],
  },
  {
    id: '1071000000000005',
    name: 'old_offer',
    language: 'en_US',
    status: 'REJECTED',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Buy now!!!' }],
  },
];

/** The parameters a template's body expects: `{{1}}`… count, or the set of `{{names}}`. */
export function expectedBodyParameters(template: StandInTemplate): string[] {
  const body = template.components.find((c) => c.type === 'BODY');
  const text = typeof body?.text === 'string' ? body.text : '';
  return [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))];
}
