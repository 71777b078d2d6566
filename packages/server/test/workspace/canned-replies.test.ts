import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkspaceWorld, tokenOf, type WorkspaceWorld } from './workspace-harness';

// Canned replies: tenant-wide answers admins manage, with short codes unique in the tenant and
// content whose variables are checked when it is saved.

let w: WorkspaceWorld;

beforeAll(async () => {
  w = await startWorkspaceWorld();
});
afterAll(async () => {
  await w?.t.stop();
});

const admin = () => w.tenant.token;

async function createReply(body: unknown, token = admin()) {
  return w.t.api.request('POST', '/canned-replies', { token, body });
}

async function replies(token = tokenOf(w.agent)): Promise<any[]> {
  const res = await w.t.api.request('GET', '/canned-replies', { token });
  expect(res.status).toBe(200);
  return res.json.items;
}

describe('canned replies', () => {
  it('creates, lists by short code, edits and deletes (audited); agents read them', async () => {
    const hello = await createReply({
      shortCode: 'Hello',
      content: 'Hi {{contact.first_name | there}}, this is {{agent.first_name}}.',
    });
    expect(hello.status, hello.text).toBe(201);
    expect(hello.json).toMatchObject({
      shortCode: 'hello',
      content: 'Hi {{contact.first_name | there}}, this is {{agent.first_name}}.',
    });
    const bye = await createReply({ shortCode: 'bye', content: 'Bye {{contact.name}}!' });
    expect(bye.status).toBe(201);
    expect((await replies()).map((r) => r.shortCode)).toEqual(['bye', 'hello']);

    const edited = await w.t.api.request('PATCH', `/canned-replies/${bye.json.id}`, {
      token: admin(),
      body: { shortCode: 'goodbye', content: 'Goodbye {{contact.name}}.' },
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({
      shortCode: 'goodbye',
      content: 'Goodbye {{contact.name}}.',
    });
    // The old short code is free again.
    expect((await createReply({ shortCode: 'bye', content: 'See you' })).status).toBe(201);

    const removed = await w.t.api.request('DELETE', `/canned-replies/${hello.json.id}`, {
      token: admin(),
    });
    expect(removed.status).toBe(204);
    expect((await replies()).map((r) => r.shortCode)).toEqual(['bye', 'goodbye']);
    expect((await createReply({ shortCode: 'hello', content: 'Hello again' })).status).toBe(201);

    const trail = await w.t.api.request('GET', '/audit-events?limit=100', { token: admin() });
    expect((trail.json.items as any[]).map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'canned_reply.created',
        'canned_reply.updated',
        'canned_reply.deleted',
      ]),
    );
  });

  it('keeps short codes unique regardless of case (409 on create and on edit)', async () => {
    await createReply({ shortCode: 'refund', content: 'Your refund is on its way.' });
    const dup = await createReply({ shortCode: 'REFUND', content: 'Another' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('short_code_taken');
    expect(dup.json.error.fields.shortCode).toBeDefined();
    const other = (await createReply({ shortCode: 'shipping', content: 'It ships today.' })).json;
    const clash = await w.t.api.request('PATCH', `/canned-replies/${other.id}`, {
      token: admin(),
      body: { shortCode: 'Refund' },
    });
    expect(clash.status).toBe(409);
  });

  it('refuses an unknown variable, an unclosed one and a bad short code, as field errors', async () => {
    const unknown = await createReply({ shortCode: 'oops', content: 'Hi {{contact.nickname}}' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('validation_failed');
    expect(unknown.json.error.fields.content).toMatch(/contact\.nickname/);
    const unclosed = await createReply({ shortCode: 'oops', content: 'Hi {{contact.name' });
    expect(unclosed.status).toBe(400);
    expect(unclosed.json.error.fields.content).toMatch(/not closed/);
    const code = await createReply({ shortCode: 'has space', content: 'x' });
    expect(code.status).toBe(400);
    expect(code.json.error.fields.shortCode).toBeDefined();
    const patch = await w.t.api.request('PATCH', '/canned-replies/cr_missing', {
      token: admin(),
      body: { content: '{{agent.phone}}' },
    });
    expect(patch.status).toBe(400);
    expect((await replies()).some((r) => r.shortCode === 'oops')).toBe(false);
  });

  it('is for admins to manage: agents get 403', async () => {
    const res = await createReply({ shortCode: 'mine', content: 'x' }, tokenOf(w.agent));
    expect(res.status).toBe(403);
    const missing = await w.t.api.request('DELETE', '/canned-replies/cr_missing', {
      token: admin(),
    });
    expect(missing.status).toBe(404);
  });
});
