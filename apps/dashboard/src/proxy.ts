// The browser talks only to the dashboard's origin; GraphQL and signed media requests are forwarded to
// the API. The API's address is read at request time, so one build serves any `undub start` setup:
// UNDUB_API_URL, else http://127.0.0.1:<UNDUB_API_PORT, default 4000>.
import { NextResponse, type NextRequest } from 'next/server';

function apiBase(): string {
  return process.env.UNDUB_API_URL || `http://127.0.0.1:${process.env.UNDUB_API_PORT || 4000}`;
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(pathname + search, apiBase()));
}

export const config = {
  matcher: ['/graphql', '/media/:path*'],
};
