/** The container lists of a pod spec, and one way to walk them. */
import { isObj, type Obj } from './object.js';

/** The lists of a pod spec that hold containers startorder orders, in the order the kubelet starts them. */
export const CONTAINER_LISTS = ['initContainers', 'containers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

export interface ContainerAt {
  list: ContainerList;
  /** The index in its list (items that are not objects still count). */
  index: number;
  container: Obj;
}

/** The items of one container list that are objects; [] when the list is absent or not a list. */
export function containerList(podSpec: Obj, list: ContainerList): Obj[] {
  const items = podSpec[list];
  return Array.isArray(items) ? items.filter(isObj) : [];
}

/**
 * Every container of a pod spec with its list and index: init containers first (or in the order
 * `lists` gives), then app containers. Items that are not objects are skipped.
 */
export function containersOf(podSpec: Obj, lists: readonly ContainerList[] = CONTAINER_LISTS): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const list of lists) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container: unknown, index) => {
      if (isObj(container)) out.push({ list, index, container });
    });
  }
  return out;
}

/** The names (strings only) of every container and init container of a pod spec. */
export function containerNames(podSpec: Obj): Set<string> {
  const names = new Set<string>();
  for (const { container } of containersOf(podSpec)) if (typeof container.name === 'string') names.add(container.name);
  return names;
}
