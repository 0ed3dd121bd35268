/**
 * Function mode on the command line: a ResourceList on stdin (kustomize or kpt) is answered on
 * stdout with the ResourceList and its results; one line per result on stderr where the caller
 * does not show results itself.
 */
import { hasErrors } from '../diagnostics.js';
import { ExitCode } from '../exit-codes.js';
import { answerOf, callerShowsResults, isResourceList, requestOf, resultLines } from '../krm/index.js';
import { makeLocator } from '../load/locate.js';
import { parseFile } from '../load/parse.js';
import { run, type Input, type Options } from '../pipeline/index.js';
import type { IO } from './io.js';
import type { Common } from './options.js';
import { report } from './report.js';

/** The ResourceList the input is, if it is one (a cheap look at the text first). */
export function resourceListIn(inputs: readonly Input[]) {
  const input = inputs.length === 1 && inputs[0]!.name === '<stdin>' ? inputs[0]! : undefined;
  if (!input || !/kind:\s*"?ResourceList|"kind"\s*:\s*"ResourceList"/.test(input.text)) return undefined;
  const source = parseFile('<stdin>', input.text).file;
  const list = source.docs[0]?.value;
  return isResourceList(list) ? { input, list, source } : undefined;
}

export async function runKrm(
  io: IO,
  a: Common,
  found: NonNullable<ReturnType<typeof resourceListIn>>,
  options: Pick<Options, 'configs' | 'defaults'>,
): Promise<number> {
  const call = { ...found, given: a.given, options };
  const req = requestOf(call);
  const result = req.request ? await run(req.request) : undefined;
  const answer = answerOf(call, req.diagnostics, result);
  const results = answer.placed.map((p) => p.result);
  if (a['error-format'] === 'json') report(io, a, answer.diagnostics);
  else if (results.length > 0 && !callerShowsResults(found.list, io.env ?? process.env)) {
    // kustomize shows a function's stderr, not its results: one line per result there.
    const locate = makeLocator([found.source]);
    const lines = resultLines(answer.diagnostics, answer.placed, (path) => locate(found.input.name, 0, path)?.line);
    io.stderr(`${lines.join('\n')}\n`);
  }
  io.stdout(answer.text);
  return hasErrors(answer.diagnostics) ? ExitCode.findings : ExitCode.ok;
}
