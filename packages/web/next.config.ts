import type { NextConfig } from 'next';

// A static export: the sandbox serves `out/` at `/` next to the API, AWS serves it from S3 +
// CloudFront. Everything runs in the browser against the API; no Next server at runtime.
//
// SWITCHBOARD_WEB_OUT_DIR (a path relative to this package, set by scripts/ensure-web-build.mjs
// --out-dir) exports somewhere other than `out/`: the build tests use it so they never replace the
// export a running sandbox serves. Build artefacts stay in `.next` either way.
const outDir = process.env.SWITCHBOARD_WEB_OUT_DIR;

const config: NextConfig = {
  output: 'export',
  ...(outDir ? { distDir: outDir } : {}),
  // `/app/inbox/` -> `out/app/inbox/index.html`: one directory per screen, simple to serve anywhere.
  trailingSlash: true,
  transpilePackages: ['@switchboard/contracts'],
  images: { unoptimized: true },
  poweredByHeader: false,
  productionBrowserSourceMaps: false,
  // `npm run typecheck` checks this package (tsc -p packages/web); the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default config;
