import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cannedPolicy, CloudFrontSigner } from '../../src/engine/aws/cloudfront-signer';
import { queueUrlOfArn } from '../../src/engine/aws/sqs-visibility';
import { backoffSeconds } from '../../src/modules/leads/crm-sync.service';
import { csvCell, parseCsv } from '../../src/modules/leads/csv';
import { readLogo } from '../../src/modules/leads/image';
import { toE164 } from '../../src/modules/leads/phone';
import { checkDestinationUrl, isAllowedAddress } from '../../src/modules/leads/safe-http';
import {
  signWebhook,
  verifyWebhook,
  webhookHeaders,
} from '../../src/modules/leads/standard-webhooks';
import { sanitizeSvg } from '../../src/modules/leads/svg-sanitize';
import { matchesPattern } from '../../src/engine/local/event-pattern';
import { HmacAssetSigner } from '../../src/engine/local/hmac-asset-signer';
import { LocalBus } from '../../src/engine/local/local-bus';
import type { QueueMessageInput } from '../../src/engine/ports/queue';
import { busRules, leadEventSource } from '../../src/engine/topology';

// Tenant patterns (RE2, size budget): safe-regex.test.ts.

describe('phones', () => {
  it('normalise to E.164 or refuse', () => {
    expect(toE164('+55 11 99999-0001')).toEqual({ ok: true, e164: '+5511999990001' });
    expect(toE164('11 99999-0001')).toEqual({ ok: false });
    expect(toE164('11 99999-0001', undefined, '55')).toEqual({ ok: true, e164: '+5511999990001' });
    expect(toE164('+0 123 456 789')).toEqual({ ok: false });
    expect(toE164('+1234567')).toEqual({ ok: false });
    expect(toE164('+1234567890123456')).toEqual({ ok: false });
  });
});

describe('CSV', () => {
  it('parses quotes, doubled quotes, commas, CRLF and a BOM', () => {
    expect(
      parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n\n"multi\nline",z\n', {
        maxRows: 10,
        maxColumns: 5,
      }),
    ).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
    expect(() => parseCsv('"open', { maxRows: 10, maxColumns: 5 })).toThrow();
    expect(() => parseCsv('a\nb\nc\n', { maxRows: 2, maxColumns: 5 })).toThrow();
  });

  it('neutralises cells a spreadsheet would run', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('+SUM(A1)')).toBe(`"'+SUM(A1)"`);
    expect(csvCell('-2')).toBe(`"'-2"`);
    expect(csvCell('@cmd')).toBe(`"'@cmd"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('plain "quoted"')).toBe('"plain ""quoted"""');
    expect(csvCell(['a', 'b'])).toBe('"a; b"');
    expect(csvCell(undefined)).toBe('""');
  });
});

describe('EventBridge patterns (local bus)', () => {
  const event = {
    source: 'switchboard.leads',
    'detail-type': 'LeadSubmitted',
    detail: {
      tenantId: 'tn_1',
      source: 'form',
      score: 7,
      tags: ['vip', 'q3'],
      contact: { email: 'a@b.co' },
    },
  };
  it('matches exact values, prefixes, anything-but, exists, numeric ranges and arrays', () => {
    expect(matchesPattern({ source: ['switchboard.leads'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['other'] }, event)).toBe(false);
    expect(matchesPattern({ 'detail-type': [{ prefix: 'Lead' }] }, event)).toBe(true);
    expect(
      matchesPattern({ detail: { source: [{ 'anything-but': ['api', 'import'] }] } }, event),
    ).toBe(true);
    expect(matchesPattern({ detail: { source: [{ 'anything-but': 'form' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { formId: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { formId: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { score: [{ numeric: ['>', 5, '<=', 7] }] } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { score: [{ numeric: ['>', 7] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { tags: ['q3'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { contact: { email: [{ suffix: '@b.co' }] } } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { contact: { phone: ['x'] } } }, event)).toBe(false);
  });

  it('routes LeadSubmitted to the store and merge queues and sync jobs to the CRM queue', async () => {
    const sent: Record<string, QueueMessageInput[]> = {};
    const sender = (name: string) => ({
      sendBatch: async (messages: QueueMessageInput[]) => {
        (sent[name] ??= []).push(...messages);
        return messages.map((_, i) => ({ messageId: `${name}-${i}` }));
      },
    });
    const bus = new LocalBus(busRules, {
      LeadStoreQueue: sender('store'),
      LeadMergeQueue: sender('merge'),
      CrmSyncQueue: sender('crm'),
      IntegrationEventsQueue: sender('integrations'),
    });
    const [id] = await bus.publish([
      { source: leadEventSource, detailType: 'LeadSubmitted', detail: { a: 1 } },
    ]);
    await bus.publish([{ source: leadEventSource, detailType: 'LeadUpserted', detail: { b: 2 } }]);
    await bus.publish([{ source: 'someone.else', detailType: 'LeadSubmitted', detail: {} }]);
    expect(Object.keys(sent).sort()).toEqual(['crm', 'merge', 'store']);
    const envelope = JSON.parse(sent.store![0]!.body);
    expect(envelope).toMatchObject({
      version: '0',
      id,
      'detail-type': 'LeadSubmitted',
      source: leadEventSource,
      detail: { a: 1 },
    });
    expect(sent.merge).toHaveLength(1);
    expect(JSON.parse(sent.crm![0]!.body).detail).toEqual({ b: 2 });
    await expect(
      bus.publish(
        Array.from({ length: 11 }, () => ({
          source: leadEventSource,
          detailType: 'X',
          detail: {},
        })),
      ),
    ).rejects.toThrow();
  });
});

describe('Standard Webhooks', () => {
  it('matches the specification’s test vector', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies signed deliveries and refuses tampering, other secrets and stale timestamps', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const now = new Date();
    const body = '{"type":"lead.upserted"}';
    const headers = webhookHeaders(secret, 'msg_1', body, now);
    expect(verifyWebhook(secret, headers, body, now)).toBe(true);
    expect(
      verifyWebhook(
        secret,
        { ...headers, 'webhook-signature': `v1,bogus ${headers['webhook-signature']}` },
        body,
        now,
      ),
    ).toBe(true);
    expect(verifyWebhook(secret, headers, `${body} `, now)).toBe(false);
    expect(verifyWebhook('whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==', headers, body, now)).toBe(
      false,
    );
    expect(verifyWebhook(secret, headers, body, new Date(now.getTime() + 6 * 60_000))).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_2' }, body, now)).toBe(false);
  });
});

describe('SSRF guard', () => {
  it('allows public addresses only (loopback when the sandbox says so)', () => {
    for (const ip of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '224.0.0.1',
    ]) {
      expect(isAllowedAddress(ip, false), ip).toBe(false);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111'])
      expect(isAllowedAddress(ip, false), ip).toBe(true);
    expect(isAllowedAddress('127.0.0.1', true)).toBe(true);
    expect(isAllowedAddress('10.0.0.1', true)).toBe(false);
  });

  it('checks scheme, credentials and literal hosts up front', () => {
    const deployed = { allowLoopback: false };
    expect(checkDestinationUrl('https://hooks.example.com/x', deployed).host).toBe(
      'hooks.example.com',
    );
    for (const url of [
      'http://hooks.example.com',
      'https://127.0.0.1/x',
      'https://localhost/x',
      'https://u:p@hooks.example.com',
      'https://[::1]/',
      'file:///etc/passwd',
      'https://0x7f000001/',
    ]) {
      expect(() => checkDestinationUrl(url, deployed), url).toThrow();
    }
    expect(() =>
      checkDestinationUrl('http://127.0.0.1:8080/x', { allowLoopback: true }),
    ).not.toThrow();
    expect(() => checkDestinationUrl('http://10.0.0.1/x', { allowLoopback: true })).toThrow();
  });
});

describe('CRM backoff', () => {
  it('doubles from the base with jitter, capped', () => {
    const b = { baseSeconds: 30, maxSeconds: 900 };
    expect(backoffSeconds(1, b, () => 0)).toBe(15);
    expect(backoffSeconds(1, b, () => 1)).toBe(30);
    expect(backoffSeconds(3, b, () => 1)).toBe(120);
    expect(backoffSeconds(20, b, () => 1)).toBe(900);
    expect(backoffSeconds(20, b, () => 0)).toBe(450);
  });

  it('derives the queue URL from the record’s ARN', () => {
    expect(queueUrlOfArn('arn:aws:sqs:sa-east-1:123456789012:CrmSyncQueue')).toBe(
      'https://sqs.sa-east-1.amazonaws.com/123456789012/CrmSyncQueue',
    );
  });
});

describe('logos', () => {
  it('are typed by their bytes', () => {
    expect(readLogo(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])).contentType).toBe(
      'image/jpeg',
    );
    expect(() => readLogo(new TextEncoder().encode('GIF89a'))).toThrow();
    expect(() => readLogo(new Uint8Array(513 * 1024))).toThrow();
    expect(() =>
      readLogo(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2])),
    ).toThrow();
  });

  it('SVG: clean documents are re-serialised; active content is refused', () => {
    const clean = `<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><text x="1" y="9">A &amp; B</text></svg>`;
    expect(sanitizeSvg(clean)).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><text x="1" y="9">A &amp; B</text></svg>',
    );
    for (const bad of [
      '<svg><script>alert(1)</script></svg>',
      '<svg onload="alert(1)"></svg>',
      '<svg><a href="javascript:alert(1)"><rect/></a></svg>',
      '<svg><use href="https://evil.example/sprite.svg#x"/></svg>',
      '<svg><rect fill="url(https://evil.example/x)"/></svg>',
      '<svg><style>@import url(https://evil.example/x.css)</style></svg>',
      '<svg><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"/></foreignObject></svg>',
      '<!DOCTYPE svg [<!ENTITY lol "lol">]><svg>&lol;</svg>',
      '<svg><![CDATA[<script>]]></svg>',
      '<svg><rect style="fill:red"/></svg>',
      '<svg><rect/></svg><svg/>',
      '<svg xmlns="http://evil.example/ns"/>',
      '<svg><rect></svg>',
      '<svg><rect fill="&#106;avascript:"/></svg>',
    ]) {
      expect(() => sanitizeSvg(bad), bad).toThrow();
    }
  });

  it('SVG sanitising is linear on large documents', () => {
    const big = `<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>'.repeat(15_000)}</svg>`;
    const started = performance.now();
    expect(sanitizeSvg(big).length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('asset URL signers', () => {
  it('HMAC (sandbox): the signature covers the whole key and the expiry', async () => {
    const signer = new HmacAssetSigner(async () => 'a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleQ');
    const now = new Date('2026-01-01T00:00:00Z');
    const url = new URL(await signer.sign('tenants/tn_a/branding/logo.png', 60, now), 'http://x');
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    expect(decodeURIComponent(url.pathname)).toBe('/assets/tenants/tn_a/branding/logo.png');
    expect(await signer.verify('tenants/tn_a/branding/logo.png', exp, sig, now)).toBe('valid');
    expect(await signer.verify('tenants/tn_b/branding/logo.png', exp, sig, now)).toBe('invalid');
    expect(
      await signer.verify('tenants/tn_a/branding/logo.png', String(Number(exp) + 1), sig, now),
    ).toBe('invalid');
    expect(
      await signer.verify(
        'tenants/tn_a/branding/logo.png',
        exp,
        sig,
        new Date(now.getTime() + 61_000),
      ),
    ).toBe('expired');
  });

  it('CloudFront: a canned policy signed with RSA-SHA1, in CloudFront’s URL-safe base64', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signer = new CloudFrontSigner({
      domainName: 'd111111abcdef8.cloudfront.net',
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: async () => privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    });
    const now = new Date('2026-01-01T00:00:00Z');
    const url = new URL(await signer.sign('tenants/tn_a/branding/logo.png', 3600, now));
    expect(url.origin + url.pathname).toBe(
      'https://d111111abcdef8.cloudfront.net/tenants/tn_a/branding/logo.png',
    );
    expect(url.searchParams.get('Key-Pair-Id')).toBe('K2JCJMDEHXQW5F');
    const expires = Number(url.searchParams.get('Expires'));
    expect(expires).toBe(now.getTime() / 1000 + 3600);
    const signature = url.searchParams.get('Signature')!;
    expect(signature).not.toMatch(/[+=/]/);
    const base64 = signature.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
    const policy = cannedPolicy(url.origin + url.pathname, expires);
    expect(policy).toBe(
      `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/tenants/tn_a/branding/logo.png","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`,
    );
    expect(
      createVerify('RSA-SHA1')
        .update(policy)
        .verify(
          createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })),
          base64,
          'base64',
        ),
    ).toBe(true);
  });
});
