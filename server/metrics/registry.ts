/**
 * A minimal Prometheus registry: counters and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Enough for the server's own metrics without a dependency.
 */

type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric { render(): string }

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: string[]; value: number }>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[] = []) {}

  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).value += by;
  }

  /** The series for `labels`, resolved once: hot paths keep it and skip the label lookup. */
  bind(labels: Labels = {}): { inc(by?: number): void } {
    const s = this.series(labels);
    return { inc: (by = 1) => { s.value += by; } };
  }

  private series(labels: Labels): { labels: string[]; value: number } {
    const vals = this.labelNames.map(n => labels[n] ?? '');
    const key = vals.join('\u0000');
    let cur = this.values.get(key);
    if (!cur) { cur = { labels: vals, value: 0 }; this.values.set(key, cur); }
    return cur;
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.labelNames.map(n => labels[n] ?? '').join('\u0000'))?.value ?? 0;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    if (this.values.size === 0 && this.labelNames.length === 0) out += `${this.name} 0\n`;
    for (const { labels, value } of this.values.values()) out += `${this.name}${labelText(this.labelNames, labels)} ${value}\n`;
    return out;
  }
}

/** A metric whose value is read when scraped (a gauge, or a counter kept elsewhere). */
export class Gauge implements Metric {
  constructor(readonly name: string, readonly help: string, private readonly read: () => { labels?: Labels; value: number }[],
    private readonly type: 'gauge' | 'counter' = 'gauge') {}
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const { labels, value } of this.read()) {
      const names = Object.keys(labels ?? {});
      out += `${this.name}${labelText(names, names.map(n => labels![n]!))} ${value}\n`;
    }
    return out;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: string[]; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[], readonly labelNames: readonly string[] = []) {}

  observe(value: number, labels: Labels = {}): void {
    this.record(this.seriesFor(labels), value);
  }

  /** The series for `labels`, resolved once: hot paths keep it and skip the label lookup. */
  bind(labels: Labels = {}): { observe(value: number): void } {
    const s = this.seriesFor(labels);
    return { observe: value => this.record(s, value) };
  }

  private seriesFor(labels: Labels): { labels: string[]; counts: number[]; sum: number; count: number } {
    const vals = this.labelNames.map(n => labels[n] ?? '');
    const key = vals.join('\u0000');
    let s = this.series.get(key);
    if (!s) { s = { labels: vals, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }; this.series.set(key, s); }
    return s;
  }

  private record(s: { counts: number[]; sum: number; count: number }, value: number): void {
    // Counts are per bucket here and made cumulative when rendered, so observing stays cheap.
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    if (i < this.buckets.length) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      let acc = 0;
      this.buckets.forEach((b, i) => {
        acc += s.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, s.labels, `le="${b}"`)} ${acc}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, s.labels, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, s.labels)} ${s.sum}\n`;
      out += `${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(m: M): M { this.metrics.push(m); return m; }
  render(): string { return this.metrics.map(m => m.render()).join(''); }
}

/** Content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
