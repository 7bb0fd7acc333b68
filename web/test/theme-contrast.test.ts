import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The palettes in globals.css, checked the way WCAG 2 computes contrast: every text colour against every
 * background the stylesheet puts it on, in the light theme and the dark one. axe in the browser tier sees
 * only what a page happens to render; this sees every pair, including the rare ones (a failed receipt,
 * an error alert, a toast).
 */
const css = readFileSync(new URL('../app/globals.css', import.meta.url), 'utf8');

type Palette = Map<string, string>;

/** The custom properties declared in the first `:root { … }` after `from`. */
function palette(from: number): Palette {
  const open = css.indexOf(':root {', from);
  const body = css.slice(open, css.indexOf('}', open));
  return new Map([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!]));
}

const light = palette(0);
const dark = palette(css.indexOf('@media (prefers-color-scheme: dark)'));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** [text, background] as the stylesheet pairs them. */
const TEXT_PAIRS: [string, string][] = [
  ['text', 'bg'],
  ['text', 'surface'],
  ['text', 'hover'],
  ['text', 'subtle-bg'],
  ['text', 'selected-bg'],
  ['text', 'warn-bg'],
  ['text', 'overdue-bg'],
  ['text', 'neutral-bg'],
  ['muted', 'bg'],
  ['muted', 'surface'],
  ['muted', 'subtle-bg'],
  ['muted', 'warn-bg'],
  ['muted', 'overdue-bg'],
  ['accent', 'bg'],
  ['accent', 'surface'],
  ['accent', 'warn-bg'],
  ['accent-text', 'accent'],
  ['accent-text', 'accent-hover'],
  ['selected-text', 'selected-bg'],
  ['neutral-text', 'neutral-bg'],
  ['low-text', 'neutral-bg'],
  ['danger', 'bg'],
  ['danger', 'surface'],
  ['danger', 'overdue-bg'],
  ['on-danger', 'danger'],
  ['error-text', 'error-bg'],
  ['error-strong', 'error-bg'],
  ['medium-text', 'medium-bg'],
  ['ok-text', 'ok-bg'],
  ['toast-text', 'toast-bg'],
  ['toast-action', 'toast-bg'],
];

/** Boundaries and indicators people must see (WCAG 1.4.11: 3:1). */
const UI_PAIRS: [string, string][] = [
  ['control-border', 'surface'],
  ['focus', 'bg'],
  ['focus', 'surface'],
  ['high', 'surface'],
];

/**
 * Project colour dots (every `--project-*` the palette declares, one per ProjectColor), on every background
 * they sit on: the sidebar (page, hover, current), the page's heading, the rows' pills.
 */
const PROJECT_COLOURS = [...light.keys()].filter((k) => k.startsWith('project-'));
const DOT_PAIRS: [string, string][] = PROJECT_COLOURS.flatMap((c) =>
  ['bg', 'surface', 'hover', 'selected-bg', 'neutral-bg'].map((bg): [string, string] => [c, bg]),
);

describe.each([
  ['light', light],
  ['dark', dark],
])('the %s palette', (_name, colours) => {
  const ratio = (fg: string, bg: string) => {
    const [a, b] = [colours.get(fg), colours.get(bg)];
    if (!a || !b) throw new Error(`--${a ? bg : fg} is not declared as a #rrggbb colour`);
    return contrast(a, b);
  };

  it('declares the same colours as the other palette', () => {
    expect([...colours.keys()].sort()).toEqual([...light.keys()].sort());
    expect(colours.size).toBeGreaterThan(30);
  });

  it.each(TEXT_PAIRS)('--%s on --%s reaches 4.5:1 (AA text)', (fg, bg) => {
    expect(ratio(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it.each([...UI_PAIRS, ...DOT_PAIRS])('--%s against --%s reaches 3:1 (AA non-text)', (fg, bg) => {
    expect(ratio(fg, bg)).toBeGreaterThanOrEqual(3);
  });
});

it('has a colour for each of the ten project colours', () => {
  expect(PROJECT_COLOURS).toHaveLength(10);
});

it('the dark palette is dark and the light one light', () => {
  expect(luminance(dark.get('bg')!)).toBeLessThan(0.05);
  expect(luminance(light.get('bg')!)).toBeGreaterThan(0.8);
  expect(css).toMatch(/color-scheme:\s*light dark/);
});
