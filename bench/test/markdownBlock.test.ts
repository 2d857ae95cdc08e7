import assert from 'node:assert/strict';
import { replaceBlock } from '../support/markdownBlock.ts';

const S = '<!-- x:start -->';
const E = '<!-- x:end -->';
const block = (text: string) => `${S}\n${text}\n${E}`;

describe('replaceBlock', () => {
  it('replaces the block between the markers and leaves the rest as it was', () => {
    const md = `# B\n\n## One\n\nprose\n\n${block('old')}\n\nafter\n\n## Two\n`;
    assert.equal(replaceBlock(md, S, E, block('new'), '## One'), `# B\n\n## One\n\nprose\n\n${block('new')}\n\nafter\n\n## Two\n`);
  });

  it('puts a first block at the end of its section, before the next one', () => {
    const md = '# B\n\n## One\n\nprose\n\n## Two\n\nmore\n';
    assert.equal(replaceBlock(md, S, E, block('new'), '## One'), `# B\n\n## One\n\nprose\n\n${block('new')}\n\n## Two\n\nmore\n`);
  });

  it('appends the section when there is none, and the block at the end of a last section', () => {
    assert.equal(replaceBlock('# B\n', S, E, block('new'), '## One'), `# B\n\n## One\n\n${block('new')}\n`);
    assert.equal(replaceBlock('# B\n\n## One\n\nprose\n', S, E, block('new'), '## One'), `# B\n\n## One\n\nprose\n\n${block('new')}\n`);
  });
});
