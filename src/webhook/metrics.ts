/** GET /metrics: admissions by path and result, and the processing time, in Prometheus text format. */

/** Upper bounds of the processing-time histogram, in seconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  private readonly admissions = new Map<string, number>();
  private readonly seconds = new Map<string, Histogram>();

  /** One answered admission: `path` is mutate or validate, `result` the outcome. */
  observe(path: string, result: string, seconds: number): void {
    const key = `path="${path}",result="${result}"`;
    this.admissions.set(key, (this.admissions.get(key) ?? 0) + 1);
    let h = this.seconds.get(path);
    if (!h) this.seconds.set(path, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]!++;
    });
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const lines = [
      '# HELP startorder_admissions_total Admission requests answered, by path and result.',
      '# TYPE startorder_admissions_total counter',
      ...[...this.admissions].map(([k, n]) => `startorder_admissions_total{${k}} ${n}`),
      '# HELP startorder_admission_duration_seconds Time from the whole request body to the answer.',
      '# TYPE startorder_admission_duration_seconds histogram',
    ];
    for (const [path, h] of this.seconds) {
      BUCKETS.forEach((b, i) => lines.push(`startorder_admission_duration_seconds_bucket{path="${path}",le="${b}"} ${h.counts[i]}`));
      lines.push(`startorder_admission_duration_seconds_bucket{path="${path}",le="+Inf"} ${h.count}`);
      lines.push(`startorder_admission_duration_seconds_sum{path="${path}"} ${h.sum}`);
      lines.push(`startorder_admission_duration_seconds_count{path="${path}"} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
