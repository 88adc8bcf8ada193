// GET/HEAD /media/<storageKey>.<ext>?exp=&sig=: stored media behind short-lived signed URLs, with
// HTTP Range requests (seeking in <audio>/<video>, resumable downloads).
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { contentTypeOf, type MediaUrlSigner } from '../services/media-urls';
import type { MediaStorage } from '../storage';

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export function mediaHandler(storage: MediaStorage, signer: MediaUrlSigner) {
  return async (req: Request, res: Response): Promise<void> => {
    const q = req.query as Record<string, unknown>;
    const target = signer.verify(
      String(req.params.name),
      typeof q.exp === 'string' ? q.exp : undefined,
      typeof q.sig === 'string' ? q.sig : undefined,
    );
    if (!target)
      return fail(
        res,
        403,
        'MEDIA_URL_INVALID',
        'the media URL is invalid or has expired; ask the API for a new one',
      );
    const info = await storage.stat(target.storageKey);
    if (!info) return fail(res, 404, 'NOT_FOUND', 'the media file no longer exists');

    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('content-type', contentTypeOf(target.ext));
    res.setHeader('cache-control', 'private, max-age=300');
    let range: { start: number; end: number } | undefined;
    if (req.headers.range) {
      const parsed = req.range(info.size, { combine: true });
      if (parsed === -1) {
        res.setHeader('content-range', `bytes */${info.size}`);
        return fail(res, 416, 'RANGE_NOT_SATISFIABLE', `the file has ${info.size} bytes`);
      }
      // Malformed or several ranges: answer with the whole file, which HTTP allows.
      if (parsed !== undefined && parsed !== -2 && parsed.type === 'bytes' && parsed.length === 1)
        range = parsed[0];
    }
    if (range) {
      res.status(206);
      res.setHeader('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
      res.setHeader('content-length', String(range.end - range.start + 1));
    } else {
      res.setHeader('content-length', String(info.size));
    }
    if (req.method === 'HEAD') return void res.end();
    const stream = await storage.createReadStream(target.storageKey, range);
    // A client that stops reading (seeking, closing the tab) ends the pipeline early: not an error.
    await pipeline(stream, res).catch(() => {});
  };
}
