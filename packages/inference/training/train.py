"""Trains the OST/music mask model on mixtures made on the fly from prepare_data.py's streams.

One-command reproduction (prepares data if missing, trains, exports ONNX, evaluates on validation):
    /usr/bin/python3 packages/inference/training/train.py --all
Steps can also run alone: --prepare, --train, --export, --evaluate.
"""
import argparse
import json
import lzma
import math
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

from model import BINS, SR, MaskNet, spectrogram, waveform

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'data')
RUNS = os.path.join(HERE, 'runs')
MODELS = os.path.join(HERE, '..', 'models')
ONNX_NAME = 'ostmask-v1.onnx'
SEG = 4 * SR  # default training segment length (--seconds)
SNR_RANGE = (-12.0, 10.0)  # OST-to-music loudness ratio, dB


def load_streams(split: str, device) -> dict:
    out = {}
    for kind in ('music', 'speech', 'ambient'):
        with open(os.path.join(DATA, f'{split}-{kind}.u8.xz'), 'rb') as fh:
            raw = bytearray(lzma.decompress(fh.read()))
        out[kind] = torch.frombuffer(raw, dtype=torch.uint8).to(device)
    return out


def mulaw_decode(u: torch.Tensor) -> torch.Tensor:
    y = u.float() / 127.5 - 1
    return torch.sign(y) * (torch.pow(256.0, y.abs()) - 1) / 255


def db(x):
    return 10 ** (x / 20)


class Mixer:
    """Random OST + music mixtures: crops, speed, EQ, fades, levels. Random numbers come from a CPU
    generator so a seeded validation set is identical on any device."""

    def __init__(self, streams: dict, device, seed: int):
        self.s = streams
        self.device = device
        self.g = torch.Generator().manual_seed(seed)

    def rand(self, *shape):
        return torch.rand(*shape, generator=self.g).to(self.device)

    def crop(self, kind: str, b: int, length: int) -> torch.Tensor:
        stream = self.s[kind]
        start = torch.randint(0, len(stream) - length, (b,), generator=self.g).to(self.device)
        idx = start[:, None] + torch.arange(length, device=self.device)[None]
        return mulaw_decode(stream[idx])

    def eq(self, spec: torch.Tensor, depth_db: float) -> torch.Tensor:
        b = spec.shape[0]
        v = torch.log1p(30 * torch.linspace(0, 1, BINS, device=self.device)) / math.log(31)
        curve = torch.zeros(b, BINS, device=self.device)
        for k in (1, 2, 3):
            a = (self.rand(b, 1) * 2 - 1) * depth_db
            phi = self.rand(b, 1) * 2 * math.pi
            curve += a * torch.cos(math.pi * k * v[None] + phi)
        return spec * db(curve)[:, None, :]

    def batch(self, b: int, snr_db=None, n=SEG) -> dict:
        # Speech with a random speed change (pitch and tempo together, +-8%).
        speed = 0.92 + 0.16 * float(torch.rand(1, generator=self.g))
        speech = self.crop('speech', b, int(n * speed) + 1)
        speech = F.interpolate(speech[:, None], size=n, mode='linear', align_corners=False)[:, 0]
        ambient = self.crop('ambient', b, n)
        music = self.crop('music', b, n)
        # OST: speech + ambient at -20..+5 dB; some examples have only one of them.
        has_speech = (self.rand(b, 1) > 0.15).float()
        has_amb = torch.maximum((self.rand(b, 1) > 0.35).float(), 1 - has_speech)
        amb_gain = db(self.rand(b, 1) * 25 - 20) * has_amb
        ost = speech * has_speech + ambient * amb_gain
        # Music fades in or out over the segment in 30% of the examples.
        fade = (self.rand(b, 1) < 0.3).float()
        lo = db(self.rand(b, 1) * -20)
        ramp = torch.linspace(0, 1, n, device=self.device)[None]
        ramp = torch.where(self.rand(b, 1) < 0.5, ramp, 1 - ramp)
        music = music * (fade * (lo + (1 - lo) * ramp) + (1 - fade))

        s_ost = self.eq(spectrogram(ost), 2.0)
        s_mus = self.eq(spectrogram(music), 4.0)
        e_ost = s_ost.abs().pow(2).sum((1, 2)) + 1e-9
        e_mus = s_mus.abs().pow(2).sum((1, 2)) + 1e-9
        snr = torch.full((b,), float(snr_db), device=self.device) if snr_db is not None else \
            self.rand(b) * (SNR_RANGE[1] - SNR_RANGE[0]) + SNR_RANGE[0]
        s_mus = s_mus * torch.sqrt(e_ost / (e_mus * 10 ** (snr / 10)))[:, None, None]
        ost, music = waveform(s_ost, n), waveform(s_mus, n)
        # Overall level: mixture RMS between -35 and -12 dBFS.
        mix = ost + music
        level = db(self.rand(b, 1) * 23 - 35) / (mix.pow(2).mean(-1, keepdim=True).sqrt() + 1e-9)
        ost, music, mix = ost * level, music * level, mix * level
        return {'mix': spectrogram(mix), 'ost': ost, 'music': music, 'mix_wave': mix, 'valid': e_ost > 1e-6}


def si_sdr(est: torch.Tensor, ref: torch.Tensor, cap_db=None) -> torch.Tensor:
    est = est - est.mean(-1, keepdim=True)
    ref = ref - ref.mean(-1, keepdim=True)
    alpha = (est * ref).sum(-1, keepdim=True) / (ref.pow(2).sum(-1, keepdim=True) + 1e-9)
    t = alpha * ref
    ratio = (est - t).pow(2).sum(-1) / (t.pow(2).sum(-1) + 1e-9)
    if cap_db is not None:
        ratio = ratio + 10 ** (-cap_db / 10)
    return -10 * torch.log10(ratio + 1e-12)


def separate(model, mix_spec, length):
    mask = model(mix_spec.abs())
    return waveform(mix_spec * mask, length)


def set_norm(model, mixer, batches=8):
    logs = torch.cat([torch.log(mixer.batch(32)['mix'].abs() + 1e-5).reshape(-1, BINS) for _ in range(batches)])
    model.mean.copy_(logs.mean(0))
    model.std.copy_(logs.std(0) + 1e-3)


def validation_set(device, per_snr=96):
    mixer = Mixer(load_streams('validation', device), device, seed=1234)
    return {snr: [mixer.batch(32, snr) for _ in range(per_snr // 32)] for snr in (0, -10)}


@torch.no_grad()
def validate(model, vset) -> dict:
    model.eval()
    out = {}
    for snr, batches in vset.items():
        imp = []
        for bt in batches:
            est = separate(model, bt['mix'], SEG)
            imp.append(si_sdr(est, bt['ost']) - si_sdr(bt['mix_wave'], bt['ost']))
        imp = torch.cat(imp).cpu()
        out[f'{snr}dB'] = {'median_si_sdri': round(float(imp.median()), 2),
                           'p25_si_sdri': round(float(imp.quantile(0.25)), 2)}
    model.train()
    return out


def score(v: dict) -> float:
    return v['0dB']['median_si_sdri'] + v['-10dB']['median_si_sdri']


def train(args):
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    torch.manual_seed(0)
    if device.type == 'cpu':
        torch.set_num_threads(args.threads)
    else:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.out, exist_ok=True)
    mixer = Mixer(load_streams('train', device), device, seed=0)
    vset = validation_set(device)
    config = {'hidden': args.hidden, 'embed': args.embed}
    model = MaskNet(**config).to(device)
    seg = int(args.seconds * SR)
    set_norm(model, mixer)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    print(f'device {device} ({torch.cuda.get_device_name() if device.type == "cuda" else "cpu"}), '
          f'params {sum(p.numel() for p in model.parameters())}', flush=True)
    t0 = time.time()
    budget = args.minutes * 60
    step, best, log = 0, -1e9, []
    while True:
        frac = (time.time() - t0) / budget
        if frac >= 1 or (args.steps and step >= args.steps):
            break
        for grp in opt.param_groups:  # warm-up, then cosine decay over the time budget
            grp['lr'] = args.lr * min(1.0, (step + 1) / 200) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        bt = mixer.batch(args.batch, n=seg)
        est = separate(model, bt['mix'], seg)
        sdr = si_sdr(est, bt['ost'], cap_db=30)
        loss = -(sdr * bt['valid']).sum() / bt['valid'].sum().clamp(min=1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        if step % args.val_every == 0 or (time.time() - t0) >= budget:
            v = validate(model, vset)
            entry = {'step': step, 'minutes': round((time.time() - t0) / 60, 2), 'loss': round(loss.item(), 2), **v}
            log.append(entry)
            print(json.dumps(entry), flush=True)
            if score(v) > best:
                best = score(v)
                torch.save({'state': model.state_dict(), 'config': config, 'validation': v, 'step': step}, os.path.join(args.out, 'best.pt'))
    info = {'device': torch.cuda.get_device_name() if device.type == 'cuda' else f'cpu x{args.threads}',
            'minutes': round((time.time() - t0) / 60, 2), 'steps': step, 'batch': args.batch, 'log': log}
    with open(os.path.join(args.out, 'train-log.json'), 'w') as fh:
        json.dump(info, fh, indent=1)


def load_best(path):
    ck = torch.load(path, map_location='cpu')
    model = MaskNet(**ck.get('config', {}))
    model.load_state_dict(ck['state'])
    return model.eval(), ck


def export(args):
    model, ck = load_best(os.path.join(args.out, 'best.pt'))
    os.makedirs(MODELS, exist_ok=True)
    path = os.path.join(MODELS, ONNX_NAME)
    dummy = torch.rand(1, 100, BINS)
    torch.onnx.export(model, (dummy,), path, input_names=['magnitude'], output_names=['mask'], opset_version=17,
                      dynamic_axes={'magnitude': {0: 'batch', 1: 'frames'}, 'mask': {0: 'batch', 1: 'frames'}})
    print(f'exported {path} ({os.path.getsize(path) / 2**20:.1f} MiB) from step {ck["step"]}')


def evaluate(args):
    """Validation-split figures of the exported checkpoint at 16 kHz (the benchmark measures the eval split)."""
    model, ck = load_best(os.path.join(args.out, 'best.pt'))
    torch.set_num_threads(args.threads)
    v = validate(model, validation_set(torch.device('cpu')))
    print(json.dumps(v))
    with open(os.path.join(args.out, 'validation.json'), 'w') as fh:
        json.dump(v, fh, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--all', action='store_true')
    ap.add_argument('--prepare', action='store_true')
    ap.add_argument('--train', action='store_true')
    ap.add_argument('--export', action='store_true')
    ap.add_argument('--evaluate', action='store_true')
    ap.add_argument('--minutes', type=float, default=7.0, help='training time budget')
    ap.add_argument('--steps', type=int, default=0, help='stop after this many steps (0: time budget only)')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--seconds', type=float, default=4.0, help='training segment length')
    ap.add_argument('--hidden', type=int, default=128, help='GRU units per direction')
    ap.add_argument('--embed', type=int, default=256)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--val-every', type=int, default=250)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default=RUNS)
    args = ap.parse_args()
    if args.all or args.prepare:
        if not os.path.exists(os.path.join(DATA, 'train.json')):
            subprocess.run([sys.executable, os.path.join(HERE, 'prepare_data.py')], check=True)
    if args.all or args.train:
        train(args)
    if args.all or args.export:
        export(args)
    if args.all or args.evaluate:
        evaluate(args)


if __name__ == '__main__':
    main()
