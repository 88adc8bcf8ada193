import { describe, expect, it } from 'vitest';
import { crossSplitVersions, type SourceFile } from '../src/build/sources';

const f = (key: string, split: SourceFile['split']): SourceFile => ({ key, package: 'p', split });

describe('crossSplitVersions', () => {
  it('leaves out an eval track whose remaster or old mix is in another split, within one game', () => {
    const music = [
      f('usr/share/games/warzone2100/music/menu.opus', 'eval'),
      f('usr/share/games/warzone2100/music/albums/a/menu_enhanced.opus', 'train'),
      f('usr/share/games/supertux2/music/antarctic/cave.ogg', 'eval'),
      f('usr/share/games/supertux2/music/retro/cave_old.ogg', 'validation'),
      f('usr/share/games/widelands/data/music/menu.ogg', 'eval'),
      f('usr/share/games/wesnoth/1.16/data/core/music/battle.ogg', 'eval'),
      f('usr/share/games/wesnoth/1.16/data/core/music/battle-epic.ogg', 'train'),
      f('usr/share/games/colobot/music/track3.ogg', 'eval'),
      f('usr/share/games/colobot/music/track3_enhanced.ogg', 'eval'),
    ];
    expect([...crossSplitVersions(music)].sort()).toEqual([
      'usr/share/games/supertux2/music/antarctic/cave.ogg',
      'usr/share/games/warzone2100/music/menu.opus',
    ]);
  });
});
