"""OST/music mask estimator. Input: STFT magnitudes of a 16 kHz mono mixture (n_fft 1024, hop 256);
output: a [0, 1] mask per time-frequency bin that keeps the OST (speech + ambient sound). The music
estimate is the mixture minus the OST, so the two always add back to the input.
"""
import torch
from torch import nn

SR = 16000
N_FFT = 1024
HOP = 256
BINS = N_FFT // 2 + 1


class MaskNet(nn.Module):
    def __init__(self, hidden=128, embed=256, channels=16):
        super().__init__()
        # Per-bin normalisation of log magnitudes, set from training data statistics before training.
        self.register_buffer('mean', torch.zeros(BINS))
        self.register_buffer('std', torch.ones(BINS))
        # Two strided convolutions read local time-frequency patterns (harmonics, onsets) and shrink
        # the frequency axis 4x before the recurrent layers.
        self.conv = nn.Sequential(
            nn.Conv2d(1, channels, (3, 5), stride=(1, 2), padding=(1, 2)),
            nn.ReLU(),
            nn.Conv2d(channels, channels, (3, 5), stride=(1, 2), padding=(1, 2)),
            nn.ReLU(),
        )
        conv_bins = (BINS + 3) // 4
        self.embed = nn.Sequential(nn.Linear(channels * conv_bins, embed), nn.LayerNorm(embed), nn.Tanh())
        self.rnn = nn.GRU(embed, hidden, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Linear(embed + 2 * hidden, 384), nn.ReLU(), nn.Linear(384, BINS))

    def forward(self, mag: torch.Tensor) -> torch.Tensor:
        """mag: [batch, frames, BINS] linear magnitudes -> mask of the same shape."""
        x = (torch.log(mag + 1e-5) - self.mean) / self.std
        b, t, _ = x.shape
        x = self.conv(x.unsqueeze(1))  # [b, c, t, bins/4]
        x = x.permute(0, 2, 1, 3).reshape(b, t, -1)
        e = self.embed(x)
        r, _ = self.rnn(e)
        return torch.sigmoid(self.head(torch.cat([e, r], dim=-1)))


def spectrogram(wave: torch.Tensor) -> torch.Tensor:
    """[batch, samples] -> complex [batch, frames, BINS]; centred zero-padded frames like @undub/inference/dsp."""
    win = torch.hann_window(N_FFT, periodic=True, device=wave.device)
    spec = torch.stft(wave, N_FFT, HOP, window=win, center=True, pad_mode='constant', return_complex=True)
    return spec.transpose(1, 2)


def waveform(spec: torch.Tensor, length: int) -> torch.Tensor:
    win = torch.hann_window(N_FFT, periodic=True, device=spec.device)
    return torch.istft(spec.transpose(1, 2), N_FFT, HOP, window=win, center=True, length=length)
