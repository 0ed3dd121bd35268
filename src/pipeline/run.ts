/** The pipeline: one request in, one result out; every stage on this screen, no I/O. */
import { emit } from './emit.js';
import { imageNeeds, resolve, type ImageAnswer, type ImageNeed } from './images.js';
import { load } from './load.js';
import { runInParts } from './parts.js';
import { complete, plan, select } from './plan.js';
import type { Input, Options, Ports, Request, Result } from './request.js';
import { rewrite } from './rewrite.js';
import { failed, resultOf } from './state.js';
import { validate, verify } from './verify.js';

/**
 * load → select → plan → resolve → rewrite → emit → verify → validate. At resolve the run yields
 * the images the plans lack and is given what the image source answered (undefined: no source).
 */
function* stages(request: Request): Generator<readonly ImageNeed[], Result, ImageAnswer | undefined> {
  const s = load(request);
  if (failed(s)) return resultOf(s);
  select(s);
  plan(s);
  const needs = imageNeeds(s);
  const answer = needs.length > 0 ? yield needs : undefined;
  if (answer && !resolve(s, needs, answer)) return resultOf(s);
  complete(s, answer?.entries ?? []);
  rewrite(s);
  if (failed(s)) return resultOf(s);
  emit(s);
  verify(s);
  validate(s);
  return resultOf(s);
}

/** Runs a request: in parts (and worker threads) when it is large, else in one piece. */
export async function run(request: Request, ports: Ports = {}): Promise<Result> {
  const parted = ports.images ? undefined : await runInParts(request);
  if (parted) return parted;
  const run = stages(request);
  let step = run.next();
  while (!step.done) step = run.next(ports.images ? await ports.images.lookUp(step.value.map((n) => n.image)) : undefined);
  return step.value;
}

/** The pipeline in one piece, synchronously, with no image source (images come in `resolvedImages`). */
export function transform(inputs: readonly Input[], options: Options = {}): Result {
  const run = stages({ ...options, inputs });
  let step = run.next();
  while (!step.done) step = run.next(undefined);
  return step.value;
}
