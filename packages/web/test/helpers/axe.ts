import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';

// axe-core in a page under test: its minified build injected into the page, run over the whole
// document, and the violations a person must fix (impact serious or critical) put in words that
// say where and what.

const require = createRequire(import.meta.url);
const axeSource = readFileSync(join(dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string; html: string }[];
};

/** The serious and critical violations axe finds in the page as it is now. */
export async function blockingViolations(page: Page): Promise<AxeViolation[]> {
  // The app's CSP allows no inline script, so a <script> tag (addScriptTag) would be refused;
  // evaluating the source through the DevTools protocol leaves the page's own CSP in force.
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  // Colours are read as they are painted: a button under the pointer that is still in its hover
  // transition (the click that opened a dialog) would be measured halfway. Move the pointer off
  // and let every running transition finish first.
  await page.mouse.move(0, 0);
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))),
  );
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(...args: unknown[]): Promise<any> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations as AxeViolation[];
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One paragraph per violation: rule, impact, help, and each failing node's selector and why. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) =>
      [
        `${v.id} (${v.impact}): ${v.help}`,
        ...v.nodes.map(
          (n) =>
            `  - ${n.target.map(String).join(' ')}\n    ${n.html.slice(0, 200)}\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}`,
        ),
      ].join('\n'),
    )
    .join('\n\n');
}
