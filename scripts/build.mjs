// Compiles src/ to dist/ (or the directory given) with tsc, and copies what
// tsc does not: the Lua scripts. npm runs it on install (`prepare`), so
// `npm start` runs JavaScript and answers within a second.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const out = process.argv[2] ?? 'dist';
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], { stdio: 'inherit' });
cpSync('src/state/redis/lua', `${out}/state/redis/lua`, { recursive: true });
cpSync('src/state/cluster/lua', `${out}/state/cluster/lua`, { recursive: true });
cpSync('src/server/console', `${out}/server/console`, { recursive: true });
