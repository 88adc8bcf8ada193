"""Which source files are music, speech or ambient sound, and the file-level split shared with the benchmark."""
import hashlib
import os
import re

ROOT = os.environ.get('UNDUB_SOURCES', os.path.join(os.path.dirname(__file__), '../../../.bench/sources/root'))
AUDIO_EXT = ('.ogg', '.opus', '.wav', '.flac', '.mp3', '.mid')

# Effect folders also hold jingles and short tunes; these names mark them so they stay out of the OST set.
MUSICAL_NAME = re.compile(
    r'(music|jingle|fanfare|victory|defeat|win|lose|gp_end|finish|intro|theme|tune|flute|restaurant|'
    r'level_?done|game_?over|menu|credits|song)',
    re.I,
)


def split_of(key: str) -> str:
    """key: path relative to the sources root. Same rule as the benchmark (bench/)."""
    h = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 2**32
    return 'train' if h < 0.7 else 'validation' if h < 0.8 else 'eval'


def _walk(rel_dir: str):
    base = os.path.join(ROOT, rel_dir)
    for d, _, files in os.walk(base):
        for f in sorted(files):
            if f.lower().endswith(AUDIO_EXT):
                yield os.path.relpath(os.path.join(d, f), ROOT)


G = 'usr/share/games/'


def music_files():
    dirs = ['warzone2100/music', 'wesnoth/1.16/data/core/music', 'supertux2/music', 'widelands/data/music',
            'colobot/music', 'supertuxkart/data/music', 'fillets-ng/music', 'openttd/baseset/openmsx']
    return sorted(f for d in dirs for f in _walk(G + d))


def speech_files():
    # fillets-ng dialogue lives in sound/<level>/<language>/; asterisk prompts are one speaker at 8 kHz.
    fillets = [f for f in _walk(G + 'fillets-ng/sound') if re.search(r'/(cs|en|nl|de|fr|sv|pl|ru)/[^/]+$', f)]
    return sorted(fillets + list(_walk('usr/share/asterisk/sounds')))


def ambient_files():
    dirs = ['megaglest/tilesets', 'megaglest/techs', 'supertuxkart/data/sfx', 'supertuxkart/data/tracks',
            'widelands/data/sound', 'supertux2/sounds', 'colobot/sounds', 'fillets-ng/sound']
    out = []
    for d in dirs:
        for f in _walk(G + d):
            if f.endswith('.mid') or MUSICAL_NAME.search(os.path.basename(f)):
                continue
            if d == 'fillets-ng/sound' and re.search(r'/(cs|en|nl|de|fr|sv|pl|ru)/[^/]+$', f):
                continue
            out.append(f)
    return sorted(out)


def by_split(files, split):
    return [f for f in files if split_of(f) == split]
