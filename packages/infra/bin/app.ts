import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/build-app';

// `npm run synth` / `npm run deploy` from the repo root. Offline: no lookups, no account needed.
const app = new App();
buildApp(app);
app.synth();
