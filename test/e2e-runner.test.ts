/**
 * The e2e runner's counting (test/e2e/run.mjs), without a cluster: kubectl is a script that reads
 * its input and succeeds, so creating a scenario's namespace works and nothing else is asked of it. A skipped scenario is counted apart
 * from the passed ones and its reason printed on a line of its own.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

interface Scenario {
  name: string;
  run(ctx: { ns: string; log(m: string): void; skip(why: string): void }): Promise<void>;
}
interface Result {
  name: string;
  ok: boolean;
  skipped: string | false;
}
interface RunModule {
  runScenarios(o: { kubeconfig: string; kubectl: string; stateDir: string; jobs: number; scenarios: Scenario[] }): Promise<{ results: Result[] }>;
  summarize(results: Result[]): { passed: number; failed: number; skipped: number };
}

const RUNNER: string = join(import.meta.dirname, 'e2e', 'run.mjs');

describe('e2e runner', () => {
  it('counts a skipped scenario apart from passes and failures, and prints its reason', async () => {
    const { runScenarios, summarize } = (await import(RUNNER)) as RunModule;
    const scenarios: Scenario[] = [
      { name: 'passes', run: async ({ log }) => log('checked') },
      { name: 'skips', run: async ({ skip }) => skip('needs a second node') },
      {
        name: 'fails',
        run: async () => {
          throw new Error('boom');
        },
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'startorder-e2e-runner-'));
    const kubectl = join(dir, 'kubectl');
    writeFileSync(kubectl, '#!/bin/sh\ncat >/dev/null\n');
    chmodSync(kubectl, 0o755);
    const errors = console.error;
    console.error = () => undefined; // the scenarios' own log lines
    const printed: string[] = [];
    const log = console.log;
    try {
      const { results } = await runScenarios({ kubeconfig: '/nonexistent/kubeconfig', kubectl, stateDir: '/nonexistent', jobs: 1, scenarios });
      console.log = (m: string) => void printed.push(m);
      assert.deepEqual(summarize(results), { passed: 1, failed: 1, skipped: 1 });
      assert.deepEqual(
        results.map((r) => [r.name, r.ok, r.skipped]),
        [
          ['passes', true, false],
          ['skips', true, 'needs a second node'],
          ['fails', false, false],
        ],
      );
    } finally {
      console.log = log;
      console.error = errors;
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(printed.includes('skipped: skips: needs a second node'), printed.join('\n'));
    assert.ok(
      printed.some((l) => /^\| skips \| skipped \|/.test(l)),
      printed.join('\n'),
    );
  });
});
