import type { NextConfig } from 'next';

const config: NextConfig = {
  // The DSP helpers (STFT for the spectrograms) are shared TypeScript from the inference package.
  transpilePackages: ['@undub/inference'],
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // The CSS is a few KiB: inlined, it cannot hold back the inline script that starts the review
    // page's data request (a pending stylesheet blocks parser-inserted scripts).
    inlineCss: true,
    // Catalog files added from the browser pass through proxy.ts, which buffers request bodies.
    proxyClientMaxBodySize: '512mb',
  },
};

export default config;
