#!/usr/bin/env node
// The kubectl plugin: kubectl finds kubectl-startorder on PATH and runs
// `kubectl startorder status POD -n NS` as `kubectl-startorder status POD -n NS`. The command is in
// src/status/ (compiled to dist/status/ by `npm run build`), the same as `startorder status`.
const [command, ...rest] = process.argv.slice(2);
if (command === 'status') {
  let statusCommand;
  try {
    ({ statusCommand } = await import('../dist/status/index.js'));
  } catch (e) {
    process.stderr.write(`kubectl startorder: cannot load startorder's status command (${e.message.split('\n')[0]}); in a checkout, run npm run build\n`);
    process.exit(3);
  }
  process.exitCode = await statusCommand(rest, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env });
} else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(
    'kubectl startorder status POD [-n NAMESPACE] [--output text|json] [--format mermaid]\n\nWhy is a pod waiting? See `kubectl startorder status --help`.\n',
  );
} else {
  process.stderr.write(`kubectl startorder: unknown command "${command}"; the plugin has one: status (kubectl startorder status POD -n NAMESPACE)\n`);
  process.exitCode = 2;
}
