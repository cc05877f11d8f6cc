// The API report: api-extractor's summary of every public declaration of the two entry points, kept in etc/
// so that any change of the public surface shows in a diff (as oidc-client-ts does).
//
//   npm run api-report           rewrites etc/*.api.md from dist/types (run `npm run build` first)
//   npm run api-report -- --check  fails when dist/types no longer matches the committed report
//
// The packaging gate (scripts/check-package.mjs) runs the check.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The entry points of package.json `exports` that have declarations, and their report names. */
export const ENTRIES = [
  { entry: 'dist/types/index.d.ts', report: 'oidc-session-monitor' },
  { entry: 'dist/types/idle/index.d.ts', report: 'oidc-session-monitor-idle' },
  { entry: 'dist/types/react/index.d.ts', report: 'oidc-session-monitor-react' },
  { entry: 'dist/types/mock-op/index.d.ts', report: 'oidc-session-monitor-mock-op' },
];

function extractorConfig({ entry, report }, projectFolder) {
  return ExtractorConfig.prepare({
    configObjectFullPath: join(root, 'etc', 'api-extractor.json'), // virtual: nothing is read from it
    packageJsonFullPath: join(projectFolder, 'package.json'),
    configObject: {
      projectFolder,
      mainEntryPointFilePath: join(projectFolder, entry),
      newlineKind: 'lf',
      compiler: {
        overrideTsconfig: {
          // Only the declarations: without `files`, TypeScript would also load every .ts file of the folder.
          files: ENTRIES.map((item) => join(projectFolder, item.entry)),
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            lib: ['ES2022', 'DOM', 'DOM.Iterable'],
            types: ['node'],
            strict: true,
            // tsc checked these declarations when it wrote them; checking every lib .d.ts again costs seconds.
            skipLibCheck: true,
          },
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: report,
        reportFolder: join(root, 'etc'),
        reportTempFolder: join(root, '.tmp', 'api-report'),
        includeForgottenExports: false,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is about the surface. TSDoc style is reviewed in the source, not here.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          // No @public/@beta tags in this package: everything exported is public.
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
          // Undocumented declarations are already marked "(undocumented)" next to them in the report.
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        },
        compilerMessageReporting: { default: { logLevel: 'error' } },
      },
    },
  });
}

/**
 * Compares (check) or rewrites (update) the reports for the declarations in `projectFolder` (default: this
 * repository; the packaging gate passes the unpacked tarball). Returns the names of reports that differ.
 * @param {{ check: boolean, projectFolder?: string, quiet?: boolean }} options
 */
export function runApiReport({ check, projectFolder = root, quiet = false }) {
  const changed = [];
  for (const item of ENTRIES) {
    if (!existsSync(join(projectFolder, item.entry))) throw new Error(`${item.entry} is missing: run \`npm run build\` first.`);
  }
  const configs = ENTRIES.map((item) => extractorConfig(item, projectFolder));
  // One TypeScript program for both entry points.
  const compilerState = CompilerState.create(configs[0], { additionalEntryPoints: configs.map((c) => c.mainEntryPointFilePath) });
  for (const [index, item] of ENTRIES.entries()) {
    const result = Extractor.invoke(configs[index], {
      compilerState,
      localBuild: !check,
      showVerboseMessages: false,
      messageCallback: (message) => {
        if (quiet && message.logLevel !== 'error') message.handled = true;
      },
    });
    if (result.errorCount > 0) throw new Error(`api-extractor reported ${result.errorCount} error(s) for ${item.entry}.`);
    if (result.apiReportChanged) changed.push(`etc/${item.report}.api.md`);
  }
  return changed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const changed = runApiReport({ check });
  if (check && changed.length > 0) {
    console.error(
      `The public API changed: ${changed.join(', ')} no longer match dist/types (the new versions are in .tmp/api-report/).\n` +
        'If the change is intended, run `npm run build && npm run api-report` and commit the updated report.',
    );
    process.exit(1);
  }
  console.log(check ? 'api-report: the public API matches etc/*.api.md' : `api-report: ${changed.length ? `updated ${changed.join(', ')}` : 'no change'}`);
}
