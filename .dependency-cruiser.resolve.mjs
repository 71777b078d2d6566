// Module resolution for dependency-cruiser, in webpack's `resolve` format (read through the
// `webpackConfig` option of .dependency-cruiser.mjs, and passed as-is by the architecture test).
//
// packages/web imports its own sources as `@/…` (the `paths` of packages/web/tsconfig.json).
// dependency-cruiser's tsconfig route cannot resolve that here: TypeScript 6 sets no `baseUrl`,
// so tsconfig-paths falls back to the working directory (the repo root) as the base of `./src/*`.
// The alias below says the same thing as that `paths` entry, anchored to packages/web.
import { fileURLToPath } from 'node:url';

export default {
  resolve: {
    alias: { '@': fileURLToPath(new URL('packages/web/src', import.meta.url)) },
  },
};
