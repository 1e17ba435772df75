/**
 * A /metrics body (Prometheus text format) as `name{labels}` → value: comment and blank lines
 * skipped, the value being what follows the line's last space.
 */
export function parsePrometheusText(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
