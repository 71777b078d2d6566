// Every API path the web app calls, in one place (the server's topology.ts is the source of truth).

const id = (value: string) => encodeURIComponent(value);

export const endpoints = {
  customers: '/customers',
  customer: (customerId: string) => `/customers/${id(customerId)}`,
  leads: '/leads',
  lead: (leadId: string) => `/leads/${id(leadId)}`,
  leadNotes: (leadId: string) => `/leads/${id(leadId)}/notes`,
  leadResync: (leadId: string) => `/leads/${id(leadId)}/sync`,
  leadsExport: '/leads/export.csv',
  pipeline: '/pipeline',
  forms: '/forms',
  form: (formId: string) => `/forms/${id(formId)}`,
  formPublish: (formId: string) => `/forms/${id(formId)}/publish`,
  publicForm: (formId: string) => `/public/forms/${id(formId)}`,
  publicSubmit: (formId: string) => `/public/forms/${id(formId)}/submissions`,
  branding: '/branding',
  brandingLogo: '/branding/logo',
  crmDestinations: '/crm-destinations',
  crmDestination: (destId: string) => `/crm-destinations/${id(destId)}`,
  crmTest: (destId: string) => `/crm-destinations/${id(destId)}/test`,
  channels: '/channels',
  channel: (channelId: string) => `/channels/${id(channelId)}`,
  users: '/users',
  user: (userId: string) => `/users/${id(userId)}`,
  apiKeys: '/api-keys',
  apiKey: (keyId: string) => `/api-keys/${id(keyId)}`,
  audit: '/audit-events',
  adminTenants: '/admin/tenants',
} as const;
