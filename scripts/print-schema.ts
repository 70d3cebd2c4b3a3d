import { writeFileSync } from 'node:fs';
import { printSchemaFile } from '../src/schema/print.js';

const out = new URL('../schema.graphql', import.meta.url);
writeFileSync(out, printSchemaFile());
console.log(`wrote ${out.pathname}`);
