/** How Node decides whether a file is an ES module or CommonJS (extension, then the nearest package.json `type`). */
import fs from 'node:fs';
import path from 'node:path';
import type { ModuleFormat } from './manifest';

const typeCache = new Map<string, ModuleFormat>();

/** The `type` of the package scope that contains `dir` (nearest package.json, like Node). */
export function packageType(dir: string): ModuleFormat {
  const cached = typeCache.get(dir);
  if (cached) return cached;
  let result: ModuleFormat = 'commonjs';
  const pkg = path.join(dir, 'package.json');
  let found = false;
  try {
    const json = JSON.parse(fs.readFileSync(pkg, 'utf8'));
    result = json && json.type === 'module' ? 'module' : 'commonjs';
    found = true;
  } catch {
    found = fs.existsSync(pkg); // an unreadable package.json still ends the search (Node treats it as commonjs)
  }
  if (!found) {
    const parent = path.dirname(dir);
    result = parent === dir || path.basename(dir) === 'node_modules' ? 'commonjs' : packageType(parent);
  }
  typeCache.set(dir, result);
  return result;
}

/** The module format Node would use for this file. */
export function formatOf(file: string): ModuleFormat {
  if (/\.m[jt]s$/.test(file)) return 'module';
  if (/\.c[jt]s$/.test(file)) return 'commonjs';
  return packageType(path.dirname(file));
}
