import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { buildApp } from '../lib/build-app';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import { withNestedStacks, type CfnTemplate } from './cfn';

// The app as `npm run synth` builds it (cdk.json's context plus the test's), without bundling the
// functions (stack.test.ts bundles them once), its template read with the nested stacks folded in.

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export type Synthesized = {
  stack: SwitchboardStack;
  template: CfnTemplate;
  /** A construct's logical id in the root stack. */
  id: (element: { node: { defaultChild?: unknown } }) => string;
};

export function synthStack(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stack = buildApp(app);
  return {
    stack,
    template: withNestedStacks(stack),
    id: (element) => stack.getLogicalId(element.node.defaultChild as CfnElement),
  };
}
