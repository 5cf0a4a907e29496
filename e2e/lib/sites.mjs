// Helpers for the copies of the example site that checks build.

// withoutProbes drops every component's `probe:` block from a herald.yaml.
export const withoutProbes = (yaml) => yaml.replace(/^ {4}probe:\n(?: {6}.*\n)+/gm, '');
