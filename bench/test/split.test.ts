import { describe, expect, it } from 'vitest';
import { splitOf } from '../src/split';

// Expected values computed independently with Python's hashlib (the rule model training uses).
describe('splitOf', () => {
  it('follows the sha1 threshold rule', () => {
    expect(splitOf('usr/share/games/wesnoth/1.16/data/core/music/battle.ogg')).toBe('eval');
    expect(splitOf('usr/share/games/wesnoth/1.16/data/core/music/frantic-old.ogg')).toBe('validation');
    expect(splitOf('usr/share/games/wesnoth/1.16/data/core/music/northern_mountains.ogg')).toBe('validation');
    expect(splitOf('a')).toBe('train');
    expect(splitOf('n')).toBe('eval');
  });
});
