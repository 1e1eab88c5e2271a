#!/usr/bin/env node
// Runs forge from npm (@foundry-rs/forge) and exits with forge's own status.
// node_modules/.bin/forge of @foundry-rs/forge 1.7.1 always exits 0, even when forge fails
// (foundry-rs/foundry#14781), which would turn `forge fmt --check` into a check that never
// fails. This launcher starts the platform binary that npm installed beside it instead.
'use strict';
const { spawnSync } = require('child_process');

const ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch];
const pkg = `@foundry-rs/forge-${process.platform}-${ARCH}`;
const exe = process.platform === 'win32' ? 'forge.exe' : 'forge';

let binary;
try {
  binary = require.resolve(`${pkg}/bin/${exe}`);
} catch (err) {
  process.stderr.write(`${pkg} is not installed (platform ${process.platform}/${process.arch}): run \`make setup\` (npm ci) first\n`);
  process.exit(2);
}

const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`cannot run ${binary}: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status === null ? 1 : result.status);
