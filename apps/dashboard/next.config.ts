import type { NextConfig } from 'next';

const config: NextConfig = {
  // The DSP helpers (STFT for the spectrograms) are shared TypeScript from the inference package.
  transpilePackages: ['@undub/inference'],
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // Catalog files added from the browser pass through proxy.ts, which buffers request bodies.
    proxyClientMaxBodySize: '512mb',
  },
};

export default config;
