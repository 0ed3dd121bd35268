/**
 * One admission of each kind run at start, before /readyz can say ready: the first real request
 * would otherwise pay for loading and compiling the pipeline (a hundred milliseconds and more, against
 * the webhook configuration's timeoutSeconds).
 */
import { mutate } from './mutate.js';
import { validateStartOrder } from './validate.js';
import type { SpecDefaults } from '../spec/normalize.js';

const SPEC = {
  containers: [
    { name: 'proxy', ready: { tcpSocket: { port: 5432 } } },
    { name: 'app', after: ['proxy'] },
  ],
};
const ORDER = { apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', metadata: { name: 'warm-up', namespace: 'warm-up' }, spec: SPEC };
const container = (name: string) => ({ name, image: 'startorder.invalid/warm-up', command: ['/warm-up'], ports: [{ containerPort: 5432 }] });

export function warmUp(defaults: SpecDefaults): void {
  for (const mode of ['wrapper', 'native']) {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'warm-up-', namespace: 'warm-up' },
      spec: { containers: [container('app'), container('proxy')] },
    };
    const order = { ...ORDER, spec: { ...SPEC, mode } };
    mutate(
      { uid: 'warm-up', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'warm-up', object: pod },
      { list: () => [order] },
      { defaults, onError: 'allow' },
    );
  }
  validateStartOrder({ uid: 'warm-up', operation: 'CREATE', namespace: 'warm-up', object: ORDER }, { list: () => [] });
}
