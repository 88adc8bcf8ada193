"""Builds the compact training/validation audio used by train.py from the shared/DATA.md sources.

Each split becomes three 16 kHz mono streams (music, speech, ambient), stored 8-bit mu-law and
xz-compressed so the training set stays small enough to travel to a GPU machine. Speech clips are
trimmed and joined with short pauses (dialogue-like); music is several excerpts per track. Part of
the material goes through an AAC round trip so the model sees codec smearing.
"""
import argparse
import concurrent.futures as cf
import hashlib
import json
import lzma
import os
import random
import subprocess
import tempfile

import numpy as np

import sources

SR = 16000
SF2 = os.path.join(sources.ROOT, 'usr/share/sounds/sf2/FluidR3_GM.sf2')
# Seconds of audio per split and kind (about 50 MiB once compressed).
BUDGET = {
    'train': {'music': 2600, 'speech': 1500, 'ambient': 700},
    'validation': {'music': 200, 'speech': 150, 'ambient': 80},
}


def mulaw_encode(x: np.ndarray) -> np.ndarray:
    y = np.sign(x) * np.log1p(255 * np.minimum(np.abs(x), 1)) / np.log1p(255)
    return np.clip(np.round((y + 1) * 127.5), 0, 255).astype(np.uint8)


def file_rng(key: str, salt: str) -> random.Random:
    """Per-file random choices that do not depend on processing order or Python's hash seed."""
    return random.Random(int(hashlib.sha1(f'{salt}:{key}'.encode()).hexdigest()[:12], 16))


def duration(path: str) -> float:
    out = subprocess.run(['ffprobe', '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path],
                         capture_output=True, text=True).stdout.strip()
    return float(out) if out and out != 'N/A' else 0.0


def decode(path: str, start=0.0, length=None, aac_kbps=None) -> np.ndarray:
    """16 kHz mono float32; with aac_kbps the excerpt is first coded as 44.1 kHz AAC and decoded again."""
    cut = ['-ss', f'{start:.3f}'] + (['-t', f'{length:.3f}'] if length else [])
    if aac_kbps:
        enc = subprocess.run(['ffmpeg', '-v', 'error', *cut, '-i', path, '-ar', '44100', '-c:a', 'aac', '-b:a',
                              f'{aac_kbps}k', '-f', 'adts', '-'], capture_output=True).stdout
        raw = subprocess.run(['ffmpeg', '-v', 'error', '-i', '-', '-ac', '1', '-ar', str(SR), '-f', 's16le', '-'],
                             input=enc, capture_output=True).stdout
    else:
        raw = subprocess.run(['ffmpeg', '-v', 'error', *cut, '-i', path, '-ac', '1', '-ar', str(SR), '-f', 's16le',
                              '-'], capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768


def render_midi(path: str, tmp: str) -> str:
    out = os.path.join(tmp, os.path.basename(path) + '.wav')
    subprocess.run(['fluidsynth', '-ni', '-q', '-F', out, '-r', '44100', SF2, path], capture_output=True)
    return out


def trim(x: np.ndarray, floor_db=-45.0) -> np.ndarray:
    """Drop leading/trailing near-silence (20 ms frames below floor relative to the clip's peak frame)."""
    n = len(x) // 320
    if n == 0:
        return x[:0]
    e = 10 * np.log10((x[: n * 320].reshape(n, 320) ** 2).mean(1) + 1e-10)
    on = np.nonzero(e > e.max() + floor_db)[0]
    return x[on[0] * 320: (on[-1] + 1) * 320] if len(on) else x[:0]


def normalise(x: np.ndarray) -> np.ndarray:
    peak = np.abs(x).max() if len(x) else 0
    return x * (0.9 / peak) if peak > 1e-4 else x[:0]


def music_stream(files, seconds, rng, tmp):
    per_track = seconds / max(1, len(files))
    excerpt = min(12.0, max(4.0, per_track / 2))
    n_exc = max(1, round(per_track / excerpt))

    def job(i_f):
        i, f = i_f
        path = os.path.join(sources.ROOT, f)
        if f.endswith('.mid'):
            path = render_midi(path, tmp)
        d = duration(path)
        r = file_rng(f, 'music')
        parts = []
        for k in range(n_exc):
            start = r.uniform(0, max(0.0, d - excerpt))
            aac = r.choice([None, None, 96, 128, 192])
            parts.append(normalise(decode(path, start, excerpt, aac)))
        return parts

    with cf.ThreadPoolExecutor(2) as ex:
        parts = [p for ps in ex.map(job, enumerate(files)) for p in ps if len(p) > SR]
    rng.shuffle(parts)
    return parts


def clip_stream(files, seconds, rng, max_clip, aac_share):
    files = files[:]
    rng.shuffle(files)
    parts, total, i = [], 0.0, 0
    while total < seconds and i < len(files):
        batch = files[i: i + 16]
        i += 16

        def job(f):
            r = file_rng(f, 'clip')
            path = os.path.join(sources.ROOT, f)
            d = duration(path)
            start = r.uniform(0, max(0.0, d - max_clip))
            aac = r.choice([96, 128, 192]) if r.random() < aac_share else None
            return normalise(trim(decode(path, start, max_clip, aac)))

        with cf.ThreadPoolExecutor(2) as ex:
            for x in ex.map(job, batch):
                if len(x) > SR // 4:
                    parts.append(x)
                    total += len(x) / SR
    return parts


def join(parts, rng, gap=(0.0, 0.0)):
    out = []
    for p in parts:
        out.append(p)
        g = int(rng.uniform(*gap) * SR)
        if g:
            out.append(np.zeros(g, np.float32))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def build(split: str, out_dir: str, seed=0):
    rng = random.Random(seed)
    b = BUDGET[split]
    with tempfile.TemporaryDirectory() as tmp:
        streams = {
            'music': join(music_stream(sources.by_split(sources.music_files(), split), b['music'], rng, tmp), rng),
            'speech': join(clip_stream(sources.by_split(sources.speech_files(), split), b['speech'], rng, 15, 0.3),
                           rng, gap=(0.05, 0.7)),
            'ambient': join(clip_stream(sources.by_split(sources.ambient_files(), split), b['ambient'], rng, 20, 0.3),
                            rng, gap=(0.0, 0.3)),
        }
    meta = {}
    for kind, x in streams.items():
        data = lzma.compress(mulaw_encode(x).tobytes(), preset=6)
        with open(os.path.join(out_dir, f'{split}-{kind}.u8.xz'), 'wb') as fh:
            fh.write(data)
        meta[kind] = {'seconds': round(len(x) / SR, 1), 'bytes': len(data)}
        print(f'{split} {kind}: {len(x) / SR:.0f} s, {len(data) / 2**20:.1f} MiB', flush=True)
    with open(os.path.join(out_dir, f'{split}.json'), 'w') as fh:
        json.dump({'sample_rate': SR, 'encoding': 'mulaw8', 'streams': meta}, fh, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), 'data'))
    ap.add_argument('--splits', nargs='+', default=['validation', 'train'])
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for split in args.splits:
        build(split, args.out)


if __name__ == '__main__':
    main()
