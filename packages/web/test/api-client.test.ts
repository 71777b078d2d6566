import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../src/lib/api-client';

// The web's typed call takes the path, method and response schema from the route contract.

type Sent = { url: string; method: string; body: unknown; headers: Record<string, string> };

function stubFetch(respond: (sent: Sent) => Response): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const headers = (init.headers ?? {}) as Record<string, string>;
      const json = headers['content-type'] === 'application/json';
      const s: Sent = {
        url,
        method: init.method ?? 'GET',
        body: json && typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
        headers,
      };
      sent.push(s);
      return respond(s);
    }),
  );
  return sent;
}

const conversation = {
  id: 'conv 1',
  customer: { id: 'cus_1', identities: {} },
  channel: 'whatsapp',
  channelId: 'ch_1',
  status: 'open',
  unreadCount: 0,
  lastMessageAt: '2024-01-01T00:00:00.000Z',
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
};

describe('api.call', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('builds the path from typed params, uses the contract method, and parses the answer', async () => {
    const sent = stubFetch(() => Response.json(conversation));
    const c = await api.call('conversations.assign', {
      params: { id: 'conv 1' },
      body: { userId: null },
    });
    expect(c.id).toBe('conv 1');
    expect(sent[0]).toMatchObject({
      url: '/conversations/conv%201/assign',
      method: 'POST',
      body: { userId: null },
    });
  });

  it('sends the query, leaving out empty values', async () => {
    const sent = stubFetch(() => Response.json({ items: [], nextCursor: null }));
    await api.call('conversations.list', {
      query: { limit: 50, status: 'open', channel: undefined, cursor: '' },
    });
    expect(sent[0]!.url).toBe('/conversations?limit=50&status=open');
    expect(sent[0]!.method).toBe('GET');
    expect(sent[0]!.body).toBeUndefined();
  });

  it('answers undefined for 204', async () => {
    const sent = stubFetch(() => new Response(null, { status: 204 }));
    await expect(api.call('users.remove', { params: { id: 'u_1' } })).resolves.toBeUndefined();
    expect(sent[0]).toMatchObject({ url: '/users/u_1', method: 'DELETE' });
  });

  it('strips fields the contract does not name, and refuses a body it rejects', async () => {
    stubFetch(() => Response.json({ delivered: true, status: 200, later: 'field' }));
    await expect(
      api.call('crm-destinations.test', { params: { id: 'crm_aaaaaaaaaaaaaaaaaaaa' } }),
    ).resolves.toEqual({ delivered: true, status: 200 });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    stubFetch(() => Response.json({ delivered: 'yes' }));
    const err = await api
      .call('crm-destinations.test', { params: { id: 'crm_aaaaaaaaaaaaaaaaaaaa' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_response');
  });

  it('calls a body that cannot be read a network failure, not a broken contract', async () => {
    // Prepare: a 200 whose body breaks off (as when the page navigates away mid-read).
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    errors.mockClear();
    stubFetch(() => new Response('{"items":[{"id":', { status: 200 }));

    // Act
    const err = await api.call('leads.list', {}).catch((e: unknown) => e);

    // Assess
    expect((err as ApiError).code).toBe('network_error');
    expect(errors).not.toHaveBeenCalled();
  });

  it('refuses a success status the route does not declare', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    stubFetch(() => Response.json(conversation, { status: 201 }));
    const err = await api
      .call('conversations.get', { params: { id: 'c' } })
      .catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('bad_response');
  });

  it('sends raw bodies as they are (CSV import)', async () => {
    const sent = stubFetch(() =>
      Response.json({ accepted: 1, rejected: [], submissionIds: ['s'] }, { status: 202 }),
    );
    const res = await api.call('leads.import', {
      rawBody: 'name,email\nAna,ana@example.com\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.accepted).toBe(1);
    expect(sent[0]).toMatchObject({ url: '/leads/import', method: 'POST' });
    expect(sent[0]!.body).toBe('name,email\nAna,ana@example.com\n');
    expect(sent[0]!.headers['content-type']).toBe('text/csv');
  });
});
