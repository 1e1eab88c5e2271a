#!/usr/bin/env node
// Planet's offline solc front end: answers the two calls py-solc-x and ape-solidity make
// (`--version` and `--standard-json`) through solc-js from npm, so no native compiler has to
// be downloaded. Imports are resolved on disk relative to --base-path, --include-path and this
// project's own root (ape compiles from a temporary copy of the sources that has no
// node_modules, so `node_modules/@openzeppelin/...` imports are found beside this file),
// refusing anything outside those roots and --allow-paths.
'use strict';
const fs = require('fs');
const path = require('path');

function loadSolc() {
  try {
    return require('solc');
  } catch (err) {
    process.stderr.write('solc-js is not installed: run `make setup` (npm ci) first\n');
    process.exit(2);
  }
}

function parseArgs(argv) {
  const opts = { standardJson: false, version: false, basePath: null, includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`option ${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--version': opts.version = true; break;
      case '--standard-json': opts.standardJson = true; break;
      case '--base-path': opts.basePath = path.resolve(value()); break;
      case '--include-path': opts.includePaths.push(path.resolve(value())); break;
      case '--allow-paths': opts.allowPaths.push(...value().split(',').filter(Boolean).map((p) => path.resolve(p))); break;
      case '--allow-empty': case '--overwrite': case '-': break;
      default: fail(`unsupported option ${arg}: this front end answers --version and --standard-json only`);
    }
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

function within(root, file) {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function makeImportCallback(opts) {
  const projectRoot = path.resolve(__dirname, '..', '..');
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths, projectRoot];
  const allowed = [...roots, ...opts.allowPaths];
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.join(r, importPath));
    for (const candidate of candidates) {
      const resolved = path.resolve(candidate);
      if (!allowed.some((root) => within(root, resolved))) continue;
      if (fs.existsSync(resolved) && fs.statSync(resolved).isFile()) {
        return { contents: fs.readFileSync(resolved, 'utf8') };
      }
    }
    return { error: `File not found inside the allowed paths: ${importPath}` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = loadSolc();
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) fail('nothing to do: pass --version or --standard-json');
  const input = fs.readFileSync(0, 'utf8');
  process.stdout.write(solc.compile(input, { import: makeImportCallback(opts) }));
}

main();
