// Helpers for the copies of the example site that checks build.

// withoutProbes drops every component's `probe:` block from a herald.yaml,
// and its `slo:`, which herald refuses on a component without a probe.
export const withoutProbes = (yaml) => yaml.replace(/^ {4}probe:\n(?: {6}.*\n)+/gm, '').replace(/^ {4}slo:.*\n/gm, '');
