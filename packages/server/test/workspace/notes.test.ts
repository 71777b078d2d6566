import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesOf, send } from '../outbound/outbound-harness';
import { emitted, startWorkspaceWorld, tokenOf, type WorkspaceWorld } from './workspace-harness';

// Private notes: written by agents, read by every member, never sent to the customer, mentioning
// members only, and safe to retry with a clientId.

let w: WorkspaceWorld;

beforeAll(async () => {
  w = await startWorkspaceWorld();
});
afterAll(async () => {
  await w?.t.stop();
});

const notesPath = () => `/conversations/${w.conversation.id}/notes`;

async function writeNote(body: unknown, token = tokenOf(w.agent)) {
  return w.t.api.request('POST', notesPath(), { token, body });
}

async function listNotes(token = tokenOf(w.viewer)): Promise<any[]> {
  const res = await w.t.api.request('GET', `${notesPath()}?limit=200`, { token });
  expect(res.status).toBe(200);
  return res.json.items;
}

describe('private notes', () => {
  it('writes a note with a mention, lists it newest first, and tells open screens', async () => {
    const first = await writeNote({ text: 'Checking the order for her' });
    expect(first.status).toBe(201);
    const second = await writeNote({
      text: `@Other can you call her back?`,
      mentions: [w.otherAgent.id, w.otherAgent.id],
    });
    expect(second.status, second.text).toBe(201);
    expect(second.json).toMatchObject({
      conversationId: w.conversation.id,
      text: '@Other can you call her back?',
      mentions: [w.otherAgent.id],
      authorId: w.agent.id,
    });
    const listed = await listNotes();
    expect(listed.slice(0, 2).map((n) => n.id)).toEqual([second.json.id, first.json.id]);

    const created = emitted(w, 'note.created').find((e) => e.data.note.id === second.json.id);
    expect(created?.data.mentions).toEqual([w.otherAgent.id]);
    expect(created?.data.conversationId).toBe(w.conversation.id);
  });

  it('pages through the notes with a cursor', async () => {
    for (let i = 0; i < 3; i++)
      expect((await writeNote({ text: `page note ${i}` })).status).toBe(201);
    const all = await listNotes();
    const page1 = await w.t.api.request('GET', `${notesPath()}?limit=2`, {
      token: tokenOf(w.viewer),
    });
    expect(page1.json.items).toHaveLength(2);
    expect(page1.json.nextCursor).toEqual(expect.any(String));
    const page2 = await w.t.api.request(
      'GET',
      `${notesPath()}?limit=200&cursor=${encodeURIComponent(page1.json.nextCursor)}`,
      { token: tokenOf(w.viewer) },
    );
    expect([...page1.json.items, ...page2.json.items].map((n: any) => n.id)).toEqual(
      all.map((n) => n.id),
    );
  });

  it('refuses a mention of someone who is not a member, as a field error, writing nothing', async () => {
    const before = await listNotes();
    const res = await writeNote({ text: 'hey @ghost', mentions: ['us_notamember0000000000'] });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
    expect(res.json.error.fields.mentions).toMatch(/us_notamember0000000000/);
    expect(await listNotes()).toHaveLength(before.length);
  });

  it('refuses an empty note and a viewer writing one', async () => {
    const empty = await writeNote({ text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields.text).toBeDefined();
    const viewer = await writeNote({ text: 'viewer note' }, tokenOf(w.viewer));
    expect(viewer.status).toBe(403);
  });

  it('a retry with the same clientId answers the first note and writes no second one', async () => {
    const body = { text: 'Retry-safe note', mentions: [w.ownerId], clientId: 'client-note-1' };
    const first = await writeNote(body);
    expect(first.status).toBe(201);
    const retry = await writeNote(body);
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(first.json);
    expect(retry.json.clientId).toBe('client-note-1');
    const notes = await listNotes();
    expect(notes.filter((n) => n.text === 'Retry-safe note')).toHaveLength(1);
    // The replay emits the same event again (at-least-once), with the same id.
    const events = emitted(w, 'note.created').filter((e) => e.data.note.id === first.json.id);
    expect(events).toHaveLength(2);
    expect(events[0]!.id).toBe(events[1]!.id);

    const reused = await writeNote({ ...body, text: 'Another text' });
    expect(reused.status).toBe(409);
    expect(reused.json.error.code).toBe('idempotency_key_reused');
  });

  it('lets the author or an admin delete a note, not another agent, and a retry does not bring it back', async () => {
    const body = { text: 'To be deleted', clientId: 'client-note-2' };
    const note = (await writeNote(body)).json;
    const path = `${notesPath()}/${note.id}`;
    const other = await w.t.api.request('DELETE', path, { token: tokenOf(w.otherAgent) });
    expect(other.status).toBe(403);
    const own = await w.t.api.request('DELETE', path, { token: tokenOf(w.agent) });
    expect(own.status).toBe(204);
    expect((await listNotes()).some((n) => n.id === note.id)).toBe(false);
    expect(emitted(w, 'note.deleted').map((e) => e.data.noteId)).toContain(note.id);
    const again = await w.t.api.request('DELETE', path, { token: tokenOf(w.agent) });
    expect(again.status).toBe(404);
    const retry = await writeNote(body);
    expect(retry.status).toBe(404);
    expect((await listNotes()).some((n) => n.id === note.id)).toBe(false);

    const byAgent = (await writeNote({ text: 'An admin may remove this' })).json;
    const byOwner = await w.t.api.request('DELETE', `${notesPath()}/${byAgent.id}`, {
      token: w.tenant.token,
    });
    expect(byOwner.status).toBe(204);
  });

  it('answers 404 for a conversation that does not exist', async () => {
    const res = await w.t.api.request('POST', '/conversations/cv_missing/notes', {
      token: tokenOf(w.agent),
      body: { text: 'lost' },
    });
    expect(res.status).toBe(404);
    const list = await w.t.api.request('GET', '/conversations/cv_missing/notes', {
      token: tokenOf(w.agent),
    });
    expect(list.status).toBe(404);
  });
});

describe('notes never reach the customer', () => {
  it('writes notes without a single Graph request, and keeps them out of the messages', async () => {
    const stand = w.t.sb.metaStandIn!;
    const before = {
      sent: stand.sent.length,
      actions: stand.outbound.actions.length,
      uploads: stand.outbound.uploads.length,
    };
    // Whatever Graph request comes next fails with this error: if a note made one, the send below
    // would not see it.
    stand.failNext({ httpStatus: 400, code: 131009, message: 'probe: next Graph call' });
    const text = 'Private: customer is a VIP, do not tell her';
    const note = await writeNote({ text, mentions: [w.otherAgent.id], clientId: 'never-sent' });
    expect(note.status).toBe(201);
    expect(
      (await writeNote({ text, mentions: [w.otherAgent.id], clientId: 'never-sent' })).status,
    ).toBe(200);
    expect(
      (
        await w.t.api.request('DELETE', `${notesPath()}/${note.json.id}`, {
          token: tokenOf(w.agent),
        })
      ).status,
    ).toBe(204);
    expect({
      sent: stand.sent.length,
      actions: stand.outbound.actions.length,
      uploads: stand.outbound.uploads.length,
    }).toEqual(before);

    const probe = await send(w.t, w.tenant.token, {
      conversationId: w.conversation.id,
      text: 'A real reply',
    });
    expect(probe.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(probe.json)).toMatch(/131009|probe/);

    const messages = await messagesOf(w.t, w.tenant.token, w.conversation.id);
    expect(JSON.stringify(messages)).not.toContain('VIP');
  });
});
