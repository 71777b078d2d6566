import { apiKeyScopes, roles, type ApiKeyScope, type Role } from '@switchboard/contracts';

// How the web names the contracts' roles and API key scopes. The lists themselves (and the role
// ranking) come from @switchboard/contracts; these records are exhaustive over them, so a new role
// or scope does not compile until it has words here.

export const roleInfo: Record<Role, { label: string; description: string }> = {
  owner: { label: 'Owner', description: 'Everything, including other owners.' },
  admin: { label: 'Admin', description: 'Channels, team, keys, branding and forms.' },
  agent: { label: 'Agent', description: 'Replies to conversations and works leads.' },
  viewer: { label: 'Viewer', description: 'Reads everything, changes nothing.' },
};

/** The roles, highest first, with their words. */
export const roleOptions = roles.map((value) => ({ value, ...roleInfo[value] }));

export const scopeInfo: Record<ApiKeyScope, { label: string; hint: string }> = {
  'leads:write': {
    label: 'Create leads',
    hint: 'Landing pages and integrations posting leads.',
  },
  'messages:send': {
    label: 'Send messages',
    hint: 'Automations that reply on WhatsApp or Instagram.',
  },
  read: { label: 'Read', hint: 'Conversations, contacts and channels.' },
};

export const scopeOptions = apiKeyScopes.map((value) => ({ value, ...scopeInfo[value] }));
