// Which files of the extracted Debian packages (shared/DATA.md) play which role, and their split.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { splitOf, type Split } from '../split';

export interface SourceFile {
  /** Path relative to the sources root: the split key. */
  key: string;
  package: string;
  split: Split;
}

export interface SourcePools {
  music: SourceFile[];
  speech: SourceFile[];
  ambient: SourceFile[];
  effects: SourceFile[];
}

const G = 'usr/share/games';

const MUSIC: { package: string; dir: string; ext: RegExp; skip?: RegExp }[] = [
  { package: 'warzone2100-music', dir: `${G}/warzone2100/music`, ext: /\.opus$/ },
  { package: 'wesnoth-1.16-music', dir: `${G}/wesnoth/1.16/data/core/music`, ext: /\.ogg$/, skip: /silence/ },
  { package: 'supertux-data', dir: `${G}/supertux2/music`, ext: /\.ogg$/ },
  { package: 'widelands-data', dir: `${G}/widelands/data/music`, ext: /\.ogg$/ },
  { package: 'colobot-common-sounds', dir: `${G}/colobot/music`, ext: /\.ogg$/ },
  { package: 'openttd-openmsx', dir: `${G}/openttd`, ext: /\.mid$/ },
];

// Game effect folders also hold jingles and music cues: keep only names that sound like places and
// things, and leave out anything that announces, celebrates or plays a tune.
const JINGLE =
  /music|jingle|fanfare|victory|win|lose|defeat|intro|theme|message|lobby|click|horn|flute|gp_end|race_finish|start_race|lap|goal|anvil|select|remix|battle/i;
const AMBIENT_STK =
  /rain|river|waterfall|bird|wind|restaurant|airport|static|machine|thunder|water|wave|ocean|sheep|crowd|cricket|forest|lava|fire/i;

async function walk(root: string, rel: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await walk(root, p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function file(key: string, pkg: string): SourceFile {
  return { key, package: pkg, split: splitOf(key) };
}

export async function listSources(root: string): Promise<SourcePools> {
  const music: SourceFile[] = [];
  for (const m of MUSIC) {
    for (const key of await walk(root, m.dir)) {
      if (m.ext.test(key) && !(m.skip?.test(key) ?? false)) music.push(file(key, m.package));
    }
  }
  const speech = [
    ...(await walk(root, `${G}/fillets-ng/sound`))
      .filter((k) => /\/(cs|en)\/[^/]+\.ogg$/.test(k))
      .map((k) => file(k, k.includes('/cs/') ? 'fillets-ng-data-cs' : 'fillets-ng-data')),
    ...(await walk(root, 'usr/share/asterisk/sounds'))
      .filter((k) => /\.wav$/.test(k) && !/\/silence\//.test(k))
      .map((k) => file(k, 'asterisk-core-sounds-en-wav')),
  ];
  const ambient = [
    ...(await walk(root, `${G}/megaglest/tilesets`)).filter((k) => /\/sounds\/[^/]+\.(ogg|wav)$/.test(k)),
    ...(await walk(root, `${G}/megaglest/data/core/water_sounds`)),
  ]
    .filter((k) => !JINGLE.test(k))
    .map((k) => file(k, 'megaglest-data'))
    .concat(
      [
        ...(await walk(root, `${G}/supertuxkart/data/sfx`)),
        ...(await walk(root, `${G}/supertuxkart/data/tracks`)),
      ]
        .filter((k) => /\.ogg$/.test(k) && AMBIENT_STK.test(k.split('/').pop() ?? '') && !JINGLE.test(k))
        .map((k) => file(k, 'supertuxkart-data')),
    );
  const effects = [
    ...(await walk(root, `${G}/widelands/data/sound`))
      .filter((k) => /\.ogg$/.test(k) && !JINGLE.test(k))
      .map((k) => file(k, 'widelands-data')),
    ...(await walk(root, `${G}/megaglest/techs`))
      .filter((k) => /\/units\/.*\.(wav|ogg)$/.test(k) && !JINGLE.test(k))
      .map((k) => file(k, 'megaglest-data')),
  ];
  return { music, speech, ambient, effects };
}

const VERSION_SUFFIX = /(_enhanced|_old|-old)$/;

function pieceOf(key: string): { piece: string; alternate: boolean } {
  const name = (key.split('/').pop() ?? key).replace(/\.[^.]+$/, '');
  return {
    piece: `${key.split('/')[3]}:${name.replace(VERSION_SUFFIX, '')}`,
    alternate: VERSION_SUFFIX.test(name),
  };
}

/**
 * Eval tracks whose other version (a remaster "_enhanced", an "_old" mix) sits in another split: the
 * split is by file, so without this the same piece of music could be trained on and evaluated on.
 */
export function crossSplitVersions(music: SourceFile[]): Set<string> {
  const out = new Set<string>();
  for (const a of music) {
    if (a.split !== 'eval') continue;
    const pa = pieceOf(a.key);
    for (const b of music) {
      const pb = pieceOf(b.key);
      if (b.split !== 'eval' && pa.piece === pb.piece && (pa.alternate || pb.alternate)) out.add(a.key);
    }
  }
  return out;
}
