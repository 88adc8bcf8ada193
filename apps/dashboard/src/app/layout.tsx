import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Shell } from '../components/Shell';
import { earlyReviewScript } from '../lib/early';
import './globals.css';

export const metadata: Metadata = { title: 'undub review' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <script dangerouslySetInnerHTML={{ __html: earlyReviewScript() }} />
      </head>
      <body>
        <Shell>{children}</Shell>
      </body>
    </html>
  );
}
