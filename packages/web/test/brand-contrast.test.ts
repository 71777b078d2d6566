import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
import {
  metaId,
  newPage,
  ownerTenant,
  postWebhook,
  signIn,
  startWebWorld,
  type WebWorld,
} from './helpers/web-harness';

// A tenant may pick a light brand colour. Text drawn in the brand colour (links, the active nav
// item, an unread row's time) must still read 4.5:1 where it sits: axe only sees what today's
// data puts on screen, so this measures every brand-coloured text on the page directly.

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld();
});
afterAll(async () => {
  await world?.stop();
});

type Measured = { text: string; ratio: number };

/** Contrast of each visible brand-coloured text against the background it is drawn on. */
async function brandTextContrast(page: Page): Promise<Measured[]> {
  return page.evaluate(() => {
    // The canvas turns any CSS colour (oklch, color-mix …) into sRGB bytes.
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r!) + 0.7152 * ch(g!) + 0.0722 * ch(b!);
    };
    /** The backgrounds behind an element, composited over the white page. */
    const background = (el: Element): number[] => {
      const layers: [number, number, number, number][] = [];
      for (let at: Element | null = el; at; at = at.parentElement) {
        const layer = rgba(getComputedStyle(at).backgroundColor);
        if (layer[3] > 0) layers.push(layer);
        if (layer[3] === 1) break;
      }
      let base = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse()) {
        base = [r * a + base[0]! * (1 - a), g * a + base[1]! * (1 - a), b * a + base[2]! * (1 - a)];
      }
      return base;
    };
    const out: { text: string; ratio: number }[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('[class*="text-brand"]')) {
      const text = el.textContent?.trim() ?? '';
      if (!text || !el.checkVisibility()) continue;
      const [r, g, b, a] = rgba(getComputedStyle(el).color);
      const bg = background(el);
      const fg = [r * a + bg[0]! * (1 - a), g * a + bg[1]! * (1 - a), b * a + bg[2]! * (1 - a)];
      const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x) as [number, number];
      out.push({
        text: text.slice(0, 40),
        ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100,
      });
    }
    return out;
  });
}

describe('brand-coloured text with a light brand colour', () => {
  let page: Page;

  beforeAll(async () => {
    const tenant = await ownerTenant(world, 'Sorveteria Limão');
    // Yellow-300: about 1.3:1 on white if used as is for text.
    const branding = await world.t.api.request('PUT', '/branding', {
      token: tenant.token,
      body: { colors: { primary: '#fde047' } },
    });
    if (branding.status !== 200) throw new Error(`branding ${branding.status} ${branding.text}`);
    const res = await postWebhook(
      world.t.api,
      'test-app-secret',
      envelope('whatsapp_business_account', [
        waTextEntry({
          wabaId: tenant.wabaId,
          phoneNumberId: tenant.phoneNumberId,
          from: `5511${metaId().slice(-9)}`,
          name: 'Rita Cavalcanti',
          text: 'Tem picolé de limão?',
          timestamp: Math.floor(Date.now() / 1000),
        }),
      ]),
    );
    if (res.status !== 200) throw new Error(`webhook ${res.status}`);
    ({ page } = await newPage(world));
    await signIn(page, world.t.sb.url, tenant.email, tenant.password);
    await page
      .getByTestId('conversation-row')
      .filter({ hasText: 'Rita Cavalcanti' })
      .waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () =>
        getComputedStyle(document.documentElement).getPropertyValue('--sb-brand').trim() ===
        '#fde047',
    );
  });

  it('reads 4.5:1 in the inbox: the nav and an unread row', async () => {
    const measured = await brandTextContrast(page);
    expect(measured.length).toBeGreaterThan(1);
    expect(measured.filter((m) => m.ratio < 4.5)).toEqual([]);
  });

  it('reads 4.5:1 on the settings pages', async () => {
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('tab', { name: 'Branding' }).waitFor();
    const measured = await brandTextContrast(page);
    expect(measured.length).toBeGreaterThan(0);
    expect(measured.filter((m) => m.ratio < 4.5)).toEqual([]);
  });
});
