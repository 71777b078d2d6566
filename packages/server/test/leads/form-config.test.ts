import {
  formConfigPointerSchema,
  publishedFormConfigSchema,
  type FormConfigPointer,
} from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantData } from '../../src/engine/data/tenant-data';
import { FileBlobStore } from '../../src/engine/local/file-blobs';
import type { BlobStore } from '../../src/engine/ports/blobs';
import { syncFormConfig } from '../../src/modules/leads/form-config.service';
import {
  createTenant,
  startTestSandbox,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import { contactFormBody, publishedForm } from './lead-fixtures';

// The published form config on the sandbox's CDN: what publish, republish, branding changes and
// archive write to the blob store (keys, headers, JSON that parses with the contract's schemas,
// nothing private), how `/cdn/...` serves it, and the order that keeps a crash harmless.

let t: TestSandbox;
let tenant: TestTenant;
let store: FileBlobStore;

const pngLogo = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  t = await startTestSandbox();
  tenant = await createTenant(t.api, t.adminToken, []);
  store = new FileBlobStore(`${t.sb.dataDir}/blobs`);
});

afterAll(async () => {
  await t?.stop();
});

const cdn = () => `${t.sb.url}/cdn`;

async function pointerOf(formId: string): Promise<FormConfigPointer> {
  const blob = await store.get(`public/forms/${formId}/current.json`);
  expect(blob, 'current.json').toBeDefined();
  return formConfigPointerSchema.parse(JSON.parse(Buffer.from(blob!.body).toString('utf8')));
}

async function configAt(key: string) {
  const blob = await store.get(key);
  expect(blob, key).toBeDefined();
  const text = Buffer.from(blob!.body).toString('utf8');
  return { blob: blob!, text, config: publishedFormConfigSchema.parse(JSON.parse(text)) };
}

async function livePointer(formId: string) {
  const pointer = await pointerOf(formId);
  if (pointer.status !== 'live') throw new Error(`pointer of ${formId} is ${pointer.status}`);
  return pointer;
}

describe('publishing a form', () => {
  let formId: string;
  let configKey: string;

  beforeAll(async () => {
    const created = await t.api.request('POST', '/forms', {
      token: tenant.token,
      body: contactFormBody({ successMessage: 'Obrigado!', submitLabel: 'Enviar' }),
    });
    formId = created.json.id;
    const published = await t.api.request('POST', `/forms/${formId}/publish`, {
      token: tenant.token,
    });
    expect(published.status, published.text).toBe(200);
    configKey = published.json.configKey;
  });

  it('writes the versioned file (immutable) and then the pointer (a minute) naming it', async () => {
    expect(configKey).toMatch(new RegExp(`^public/forms/${formId}/v1\\.[0-9a-f]{12}\\.json$`));
    const { blob, config } = await configAt(configKey);
    expect(blob.contentType).toBe('application/json; charset=utf-8');
    expect(blob.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(config).toMatchObject({
      format: 'switchboard.form-config/1',
      id: formId,
      version: 1,
      name: 'Contact us',
      submitLabel: 'Enviar',
      successMessage: 'Obrigado!',
      defaultCountryCode: '55',
      submitUrl: `${t.sb.url}/public/forms/${formId}/submissions`,
      branding: { displayName: null, colors: {}, logoUrl: null },
    });
    // Fields keep their labels, validation and consent exactly as defined.
    expect(config.fields.find((f) => f.key === 'terms')).toMatchObject({
      type: 'checkbox',
      label: 'I accept the terms',
      required: true,
      consent: true,
    });

    const pointerBlob = await store.get(`public/forms/${formId}/current.json`);
    expect(pointerBlob?.cacheControl).toBe('public, max-age=60');
    expect(await livePointer(formId)).toMatchObject({
      format: 'switchboard.form-config-pointer/1',
      formId,
      status: 'live',
      version: 1,
      configPath: configKey,
      configUrl: `${cdn()}/${configKey}`,
    });
  });

  it('puts nothing private in the file: no origins, tenant ids, keys or destinations', async () => {
    const { text } = await configAt(configKey);
    expect(text).not.toContain('allowedOrigins');
    expect(text).not.toContain('landing.example.com');
    expect(text).not.toContain(tenant.id);
    expect(text).not.toMatch(/\b(?:tn|usr|key|crm|ak)_[0-9a-z]{10,}/);
    expect(text).not.toMatch(/secret|token|password|whsec_/i);
    const pointer = JSON.stringify(await pointerOf(formId));
    expect(pointer).not.toContain(tenant.id);
  });

  it('is served from /cdn with its stored headers, CORS for any page, nosniff', async () => {
    const res = await fetch(`${cdn()}/public/forms/${formId}/current.json`, {
      headers: { origin: 'https://any-landing-page.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const pointer = formConfigPointerSchema.parse(await res.json());
    expect(pointer.status).toBe('live');

    const file = await fetch(`${cdn()}/${configKey}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(file.headers.get('access-control-allow-origin')).toBe('*');
    expect(publishedFormConfigSchema.parse(await file.json()).id).toBe(formId);

    const head = await fetch(`${cdn()}/${configKey}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(
      String((await store.get(configKey))!.body.length),
    );
  });

  it('serves nothing else under /cdn: other keys, traversal and missing files are 404', async () => {
    const tenantKey = `tenants/${tenant.id}/branding/anything.png`;
    for (const path of [
      tenantKey,
      `public/forms/${formId}/../../../${tenantKey}`,
      `public/forms/${formId}/other.json`,
      'public/forms/fm_00000000000000000000/current.json',
    ]) {
      const res = await fetch(`${cdn()}/${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
    }
    const post = await fetch(`${cdn()}/public/forms/${formId}/current.json`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('republishing writes the next version file and moves the pointer; the old file stays', async () => {
    await t.api.request('PUT', `/forms/${formId}`, {
      token: tenant.token,
      body: contactFormBody({ name: 'Contact us (v2)' }),
    });
    const again = await t.api.request('POST', `/forms/${formId}/publish`, { token: tenant.token });
    expect(again.status, again.text).toBe(200);
    expect(again.json.version).toBe(2);
    expect(again.json.configKey).toMatch(new RegExp(`/v2\\.[0-9a-f]{12}\\.json$`));
    expect((await configAt(again.json.configKey)).config).toMatchObject({
      version: 2,
      name: 'Contact us (v2)',
    });
    expect(await livePointer(formId)).toMatchObject({
      version: 2,
      configPath: again.json.configKey,
    });
    expect((await configAt(configKey)).config.version).toBe(1);
  });
});

describe('branding changes', () => {
  it('reach every published form of the tenant as a new config file, same form version', async () => {
    const [first, second] = [
      await publishedForm(t.api, tenant.token),
      await publishedForm(t.api, tenant.token),
    ];
    const before = await livePointer(first);

    const put = await t.api.request('PUT', '/branding', {
      token: tenant.token,
      body: { displayName: 'Padaria Sol', colors: { primary: '#0F766E', background: '#fef3c7' } },
    });
    expect(put.status, put.text).toBe(200);
    for (const formId of [first, second]) {
      const pointer = await livePointer(formId);
      expect(pointer.version).toBe(1);
      const { config } = await configAt(pointer.configPath);
      expect(config.branding).toEqual({
        displayName: 'Padaria Sol',
        colors: { primary: '#0f766e', background: '#fef3c7' },
        logoUrl: null,
      });
    }
    const after = await livePointer(first);
    expect(after.configPath).not.toBe(before.configPath);
    // The previous file is immutable and still there for caches that hold the old pointer.
    expect((await configAt(before.configPath)).config.branding.displayName).toBeNull();

    const logo = await t.api.request('POST', '/branding/logo', {
      token: tenant.token,
      raw: pngLogo,
      headers: { 'content-type': 'image/png' },
    });
    expect(logo.status, logo.text).toBe(201);
    const { config } = await configAt((await livePointer(first)).configPath);
    expect(config.branding.logoUrl).toMatch(
      new RegExp(`^${cdn()}/public/forms/${first}/logo-[0-9a-f]{16}\\.png$`),
    );
    // The logo is a public copy on the CDN path: no tenant id in its URL, no signature needed.
    expect(config.branding.logoUrl).not.toContain(tenant.id);
    const image = await fetch(config.branding.logoUrl!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await image.arrayBuffer()).equals(pngLogo)).toBe(true);
  });
});

describe('archiving a form', () => {
  it('rewrites the pointer to say the form is withdrawn', async () => {
    const formId = await publishedForm(t.api, tenant.token);
    const live = await livePointer(formId);
    const archived = await t.api.request('DELETE', `/forms/${formId}`, { token: tenant.token });
    expect(archived.status).toBe(204);
    const pointer = await pointerOf(formId);
    expect(pointer).toMatchObject({ formId, status: 'withdrawn' });
    const res = await fetch(`${cdn()}/public/forms/${formId}/current.json`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(formConfigPointerSchema.parse(await res.json()).status).toBe('withdrawn');
    // Files already fetched stay valid JSON; nothing links to them any more.
    expect((await configAt(live.configPath)).config.id).toBe(formId);
  });
});

describe('the embed script', () => {
  it('carries the CDN base and reads current.json there, not the API form route', async () => {
    const formId = await publishedForm(t.api, tenant.token);
    const script = await t.api.request('GET', `/public/forms/${formId}/embed.js`);
    expect(script.status).toBe(200);
    expect(script.text).toContain(`var cdn = ${JSON.stringify(cdn())};`);
    expect(script.text).toContain("'current.json'");
    expect(script.text).toContain('switchboard.form-config/1');
    expect(script.text).toContain('fetch(submitUrl');
    expect(() => new Function(script.text)).not.toThrow();
  });
});

describe('crash safety', () => {
  /** A blob store that fails every write of a pointer, as a process killed just before it would. */
  function failingPointer(blobs: BlobStore): BlobStore {
    return {
      get: (key) => blobs.get(key),
      put: async (key, body, type, opts) => {
        if (key.endsWith('/current.json')) throw new Error('killed before the pointer');
        return blobs.put(key, body, type, opts);
      },
    };
  }

  it('a crash between the version file and the pointer leaves the old version served; a sync heals', async () => {
    const formId = await publishedForm(t.api, tenant.token);
    const v1 = await livePointer(formId);
    await t.api.request('PUT', `/forms/${formId}`, {
      token: tenant.token,
      body: contactFormBody({ name: 'Second version' }),
    });
    // Publish in the table (as the route does) but crash while writing the files.
    const data = tenantData(t.sb.db, {
      tenantId: tenant.id,
      actor: { kind: 'system', reason: 'test' },
    });
    const form = (await data.forms.get(formId))!;
    expect(await data.forms.publish(form, new Date().toISOString())).toBeDefined();
    const urls = { configBase: cdn(), apiBase: t.sb.url };
    await expect(
      syncFormConfig({ db: t.sb.db, blobs: failingPointer(store), now: new Date(), urls }, formId),
    ).rejects.toThrow('killed before the pointer');
    expect(await livePointer(formId)).toEqual(v1);

    const healed = await syncFormConfig(
      { db: t.sb.db, blobs: store, now: new Date(), urls },
      formId,
    );
    expect(healed).toMatchObject({ status: 'live', version: 2 });
    const pointer = await livePointer(formId);
    expect(pointer.version).toBe(2);
    expect((await configAt(pointer.configPath)).config.name).toBe('Second version');
  });
});
