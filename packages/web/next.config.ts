import type { NextConfig } from 'next';

// A static export: the sandbox serves `out/` at `/` next to the API, AWS serves it from S3 +
// CloudFront. Everything runs in the browser against the API; no Next server at runtime.
const config: NextConfig = {
  output: 'export',
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
