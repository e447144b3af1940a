// Rewrites the README's generated section on modelled events (npm run docs:capabilities).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCapabilities } from '../src/modules/capabilities/capabilities-doc';

const path = join(__dirname, '..', 'README.md');
const before = readFileSync(path, 'utf8');
const after = withCapabilities(before);
writeFileSync(path, after);
console.log(before === after ? 'README.md was up to date' : 'README.md rewritten');
