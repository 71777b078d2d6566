import { z } from 'zod';
import {
  acceptInviteRequestSchema,
  apiKeySchema,
  changePasswordRequestSchema,
  createApiKeyRequestSchema,
  createApiKeyResponseSchema,
  inviteUserRequestSchema,
  inviteUserResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  memberSchema,
  refreshRequestSchema,
  switchTenantRequestSchema,
  updateUserRequestSchema,
} from '../auth';
import { roleSchema } from '../access';
import { pageOf } from '../conversations';
import { defineRoutes } from '../route-contract';
import { KiB, listQuerySchema, noContent } from './common';

export const meResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string().optional(), platformAdmin: z.boolean() }),
  tenantId: z.string().optional(),
  role: roleSchema.optional(),
  tenants: z.array(
    z.object({ tenantId: z.string(), name: z.string().optional(), role: roleSchema }),
  ),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

export const jwksSchema = z.object({
  keys: z.array(z.record(z.string(), z.union([z.string(), z.array(z.string())]))),
});

export const authRoutes = defineRoutes({
  'auth.login': {
    method: 'POST',
    path: '/auth/login',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Sign in with e-mail and password',
    body: loginRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      200: { description: 'An access token and a refresh token.', schema: loginResponseSchema },
    },
    errors: ['invalid_credentials', 'account_disabled', 'too_many_attempts'],
  },
  'auth.me': {
    method: 'GET',
    path: '/auth/me',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'The signed-in user and their workspaces',
    responses: { 200: { description: 'The caller.', schema: meResponseSchema } },
  },
  jwks: {
    method: 'GET',
    path: '/.well-known/jwks.json',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Public keys that verify access tokens (JWKS)',
    responses: { 200: { description: 'A JSON Web Key Set.', schema: jwksSchema } },
  },
  'auth.refresh': {
    method: 'POST',
    path: '/auth/refresh',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Exchange a refresh token for a new session pair',
    description:
      'Refresh tokens rotate: each is single-use, and reusing one ends its session. The web app sends no body: its refresh token is an httpOnly cookie on `/auth`.',
    // Optional, and the cookie wins: the handler reads whichever the client sent.
    rawBody: { contentType: 'application/json', schema: refreshRequestSchema },
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'New tokens.', schema: loginResponseSchema } },
    errors: ['unauthenticated', 'invalid_token', 'token_reused', 'conflict'],
  },
  'auth.logout': {
    method: 'POST',
    path: '/auth/logout',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'End the current session',
    maxBodyBytes: 4 * KiB,
    responses: { 204: noContent },
  },
  'auth.switchTenant': {
    method: 'POST',
    path: '/auth/switch-tenant',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Switch the session to another workspace the user belongs to',
    body: switchTenantRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'Tokens for that workspace.', schema: loginResponseSchema } },
    errors: ['forbidden', 'tenant_suspended'],
  },
  'auth.password': {
    method: 'POST',
    path: '/auth/password',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Change the password (ends other sessions)',
    body: changePasswordRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 204: noContent },
    errors: ['invalid_credentials', 'too_many_attempts'],
  },
  'auth.acceptInvite': {
    method: 'POST',
    path: '/auth/accept-invite',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Accept an invitation to a workspace',
    body: acceptInviteRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 200: { description: 'Signed in to the workspace.', schema: loginResponseSchema } },
    errors: ['invalid_token', 'invalid_credentials', 'too_many_attempts', 'already_member'],
  },
});

export const teamRoutes = defineRoutes({
  'users.invite': {
    method: 'POST',
    path: '/users',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Invite a person to the workspace',
    body: inviteUserRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      201: {
        description: 'The invitation (its token is shown once).',
        schema: inviteUserResponseSchema,
      },
    },
    errors: ['already_member'],
  },
  'users.list': {
    method: 'GET',
    path: '/users',
    access: { kind: 'tenant', role: 'viewer' },
    tag: 'Team',
    summary: 'Members of the workspace',
    responses: { 200: { description: 'The members.', schema: pageOf(memberSchema) } },
  },
  'users.update': {
    method: 'PATCH',
    path: '/users/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Change a member’s role',
    body: updateUserRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The member.', schema: memberSchema } },
    errors: ['last_owner', 'conflict'],
  },
  'users.remove': {
    method: 'DELETE',
    path: '/users/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Remove a member from the workspace',
    responses: { 204: noContent },
    errors: ['last_owner', 'conflict'],
  },
  'api-keys.create': {
    method: 'POST',
    path: '/api-keys',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'Create an API key (shown once)',
    body: createApiKeyRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      201: { description: 'The key, with its secret.', schema: createApiKeyResponseSchema },
    },
  },
  'api-keys.list': {
    method: 'GET',
    path: '/api-keys',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'The workspace’s API keys (never their secrets)',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of keys.', schema: pageOf(apiKeySchema) } },
    errors: ['bad_request'],
  },
  'api-keys.revoke': {
    method: 'DELETE',
    path: '/api-keys/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'Revoke an API key',
    responses: { 204: noContent },
  },
});
