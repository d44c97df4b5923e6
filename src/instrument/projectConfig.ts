/**
 * The project's own settings: the tsconfig.json that applies to a file, read with TypeScript's config
 * API (`extends` chains, a package's tsconfig such as `@tsconfig/node20` included), reduced to what
 * changes how the program runs. The one module of instrument/ that reads files; the host's module graph
 * and the program's late preparer each make a reader per run, so an edited tsconfig counts next run.
 *
 * Which tsconfig applies: the nearest `tsconfig.json` up from the file, when its `files`/`include`/
 * `exclude` take the file in (what tsc would compile with it; tsx applies its tsconfig the same way).
 * Files in node_modules, and files no tsconfig takes in, get the defaults (no project settings).
 */
import path from 'node:path';
import ts from 'typescript';
import type { PathScope } from '../runtime/pathMapping';

/** The compiler settings of a project that change what the compiled program does. */
export interface ProjectCompile {
  /** The tsconfig they come from. */
  config: string;
  experimentalDecorators?: boolean;
  emitDecoratorMetadata?: boolean;
  /** `alwaysStrict` (or `strict`): TypeScript scripts compiled to CommonJS run in strict mode, as tsc and tsx emit them. */
  alwaysStrict?: boolean;
  /** TypeScript's effective value: explicit, else true for `target` ES2022 and later (and when no target is set, as tsx). */
  useDefineForClassFields: boolean;
  /** ts.JsxEmit: React (classic), ReactJSX, ReactJSXDev; absent for the default (ReactJSX). */
  jsx?: number;
  jsxFactory?: string;
  jsxFragmentFactory?: string;
  jsxImportSource?: string;
}

export interface ProjectSettings {
  compile: ProjectCompile;
  /** `paths`/`baseUrl`, when the tsconfig sets either. */
  paths?: PathScope;
}

/** Every source extension, whatever `allowJs` says: JavaScript files of the project follow its settings too. */
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** JSX emits that produce runnable JavaScript; `preserve` and `react-native` leave JSX in, so the default stays. */
const RUNNABLE_JSX = new Set<ts.JsxEmit>([ts.JsxEmit.React, ts.JsxEmit.ReactJSX, ts.JsxEmit.ReactJSXDev]);

const key = (file: string) => file.split(path.sep).join('/');

interface Project {
  settings: ProjectSettings;
  /** The files the tsconfig takes in (normalized with `/`). */
  files: Set<string>;
}

function settingsOf(config: string, options: ts.CompilerOptions): ProjectSettings {
  const compile: ProjectCompile = {
    config,
    useDefineForClassFields:
      options.useDefineForClassFields ??
      (options.target === undefined || options.target >= ts.ScriptTarget.ES2022),
  };
  if (options.experimentalDecorators) compile.experimentalDecorators = true;
  if (options.emitDecoratorMetadata) compile.emitDecoratorMetadata = true;
  if (options.alwaysStrict ?? options.strict) compile.alwaysStrict = true;
  if (options.jsx !== undefined && RUNNABLE_JSX.has(options.jsx)) compile.jsx = options.jsx;
  if (options.jsxFactory) compile.jsxFactory = options.jsxFactory;
  if (options.jsxFragmentFactory) compile.jsxFragmentFactory = options.jsxFragmentFactory;
  if (options.jsxImportSource) compile.jsxImportSource = options.jsxImportSource;
  const settings: ProjectSettings = { compile };
  if (options.paths || options.baseUrl) {
    // Without baseUrl, TypeScript resolves `paths` targets from the tsconfig that set them (pathsBasePath).
    const pathsBase =
      options.baseUrl ?? (options as { pathsBasePath?: string }).pathsBasePath ?? path.dirname(config);
    settings.paths = {
      config,
      paths: Object.entries(options.paths ?? {}),
      pathsBase: path.resolve(pathsBase),
      ...(options.baseUrl ? { baseUrl: path.resolve(options.baseUrl) } : {}),
    };
  }
  return settings;
}

/**
 * A reader of project settings with its caches (which tsconfig each folder sees, each tsconfig parsed
 * once, `extends` targets shared). Returns null for a file no tsconfig applies to.
 */
export function createProjectReader(): (file: string) => ProjectSettings | null {
  const configOfDir = new Map<string, string | null>();
  const projects = new Map<string, Project | null>();
  const extendedConfigCache = new Map<string, ts.ExtendedConfigCacheEntry>();
  const host: ts.ParseConfigFileHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    getCurrentDirectory: ts.sys.getCurrentDirectory,
    readDirectory: (root, _extensions, excludes, includes, depth) =>
      ts.sys.readDirectory(root, SOURCE_EXTENSIONS, excludes, includes, depth),
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  };

  const configFor = (dir: string): string | null => {
    const cached = configOfDir.get(dir);
    if (cached !== undefined) return cached;
    const candidate = path.join(dir, 'tsconfig.json');
    const parent = path.dirname(dir);
    const found = ts.sys.fileExists(candidate) ? candidate : parent === dir ? null : configFor(parent);
    configOfDir.set(dir, found);
    return found;
  };

  const projectOf = (config: string): Project | null => {
    if (projects.has(config)) return projects.get(config)!;
    // Errors in the tsconfig (an unknown option, a missing `extends`) do not stop tsc from compiling with
    // the rest; likewise here. Only a tsconfig that cannot be read at all gives no settings.
    const parsed = ts.getParsedCommandLineOfConfigFile(config, undefined, host, extendedConfigCache);
    const project = parsed
      ? {
          settings: settingsOf(config, parsed.options),
          files: new Set(parsed.fileNames.map((f) => key(path.resolve(f)))),
        }
      : null;
    projects.set(config, project);
    return project;
  };

  return (file) => {
    if (/[\\/]node_modules[\\/]/.test(file)) return null;
    const config = configFor(path.dirname(path.resolve(file)));
    const project = config ? projectOf(config) : null;
    return project && project.files.has(key(path.resolve(file))) ? project.settings : null;
  };
}
