import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deployRegion, readConfig } from './config';
import { SwitchboardStack } from './switchboard-stack';

/** The app as `cdk synth` and the tests build it: one stack, cdk-nag's AWS Solutions checks on. */
export function buildApp(app: App): SwitchboardStack {
  const config = readConfig(app.node);
  const stack = new SwitchboardStack(app, config.stackName, {
    config,
    env: { account: config.account, region: deployRegion },
    description: 'Switchboard: multi-tenant social CRM (packages/infra)',
    terminationProtection: true,
  });
  // Any unacknowledged finding fails synthesis (and so `npm run synth` and deploy).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
