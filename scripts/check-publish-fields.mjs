#!/usr/bin/env node
// `prepublishOnly`: refuses to publish while package.json lacks `repository`, `homepage` or `bugs`. The project has
// no public repository yet, and the fields are not invented: they are filled in when it has one, and until then
// `npm publish` stops here with this message.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(file, 'utf8'));
const missing = ['repository', 'homepage', 'bugs'].filter((field) => pkg[field] === undefined || pkg[field] === '');
if (missing.length > 0) {
  console.error(`check-publish-fields: package.json has no ${missing.join(', ')}. Set them to the public repository (its URL, its issue tracker) before publishing.`);
  process.exit(1);
}
console.log('check-publish-fields: repository, homepage and bugs are set.');
