// 12. 50 pods whose dependencies start late: the dependent is listed first and its postStart hook
// holds the kubelet (which starts a pod's containers one after another) for 0–245 ms, so each
// dependency's wrapper creates its status directory while the dependent's wrapper is already
// waiting — the window of the lost inotify wake-up. None may hang.
import { assert, transform, apply, wl, pod, soSpec, waitFor, getJSON, podReady } from "./lib.mjs";

const PODS = Number(process.env.E2E_LATE_PODS || 50);

export default [
  {
    name: "late-status-dirs-50-pods",
    async run(t) {
      const pods = Array.from({ length: PODS }, (_, i) => {
        const hold = `${(i % 50) * 5}ms`;
        const app = wl("app", [], { lifecycle: { postStart: { exec: { command: ["/workload", "-name=poststart", `-exit-after=${hold === "0ms" ? "1ms" : hold}`] } } } });
        return pod(`late-${i}`, [app, wl("dep")], { terminationGracePeriodSeconds: 2 }, { labels: { scenario: "late" } });
      });
      const s = soSpec("late", [{ name: "dep" }, { name: "app", after: [{ name: "dep", condition: "Started" }] }], { mode: "wrapper", selector: { kinds: ["Pod"] } });
      const out = transform(s, pods);
      assert(out.docs.length === PODS, `${out.docs.length} documents`);
      const t0 = Date.now();
      await apply(out.out, t.ns);
      let last;
      await waitFor(async () => {
        const list = await getJSON(["-n", t.ns, "get", "pods", "-l", "scenario=late"]);
        last = list?.items || [];
        return last.length === PODS && last.every(podReady);
      }, 300000, `all ${PODS} pods Ready`, 2000).catch((e) => {
        const stuck = last.filter((p) => !podReady(p)).map((p) => `${p.metadata.name}:${p.status.phase}`);
        throw new Error(`${e.message}; not ready: ${stuck.join(", ")}`);
      });
      const secs = last.map((p) => (Date.parse(p.status.conditions.find((c) => c.type === "Ready").lastTransitionTime) - Date.parse(p.metadata.creationTimestamp)) / 1000).sort((a, b) => a - b);
      t.log(`${PODS} pods Ready ${((Date.now() - t0) / 1000).toFixed(1)}s after apply; per pod creation → Ready p50 ${secs[Math.floor(secs.length / 2)]}s, max ${secs[secs.length - 1]}s; none hung`);
    },
  },
];
