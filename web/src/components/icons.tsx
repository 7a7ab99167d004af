/** A handful of 16px stroke icons, inline so the console needs no icon font. */
import type { SVGProps } from 'react';

const PATHS = {
  datasets: 'M3 4.5C3 3.7 5.2 3 8 3s5 .7 5 1.5S10.8 6 8 6 3 5.3 3 4.5Zm0 0v7C3 12.3 5.2 13 8 13s5-.7 5-1.5v-7M3 8c0 .8 2.2 1.5 5 1.5S13 8.8 13 8',
  explore: 'M2.5 13.5h11M4 11l3-4 2.5 2L13 4',
  features: 'M3 4h10M3 8h6M3 12h8M12 10.5l1.5 1.5-1.5 1.5',
  training: 'M8 2.5v2M8 11.5v2M2.5 8h2M11.5 8h2M4.1 4.1l1.4 1.4M10.5 10.5l1.4 1.4M4.1 11.9l1.4-1.4M10.5 5.5l1.4-1.4',
  registry: 'M3 3.5h4v4H3zM9 3.5h4v4H9zM3 9.5h4v4H3zM9 9.5h4v4H9z',
  deployments: 'M8 2.5l5 2.8v5.4l-5 2.8-5-2.8V5.3l5-2.8Zm0 0v5.6m0 0l5-2.8M8 8.1L3 5.3',
  system: 'M2.5 4h11v7h-11zM6 13.5h4M8 11v2.5',
  search: 'M7 12A5 5 0 1 0 7 2a5 5 0 0 0 0 10Zm3.5-1.5L14 14',
  upload: 'M8 10.5V3m0 0L5 6m3-3 3 3M3 10.5v2h10v-2',
  copy: 'M5.5 5.5V3.5h7v7h-2M3.5 5.5h7v7h-7z',
  check: 'M3.5 8.5l3 3 6-7',
  plus: 'M8 3v10M3 8h10',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.5 8.5h6l.5-8.5',
  logout: 'M6 3H3.5v10H6M10 5l3 3-3 3M13 8H6.5',
  download: 'M8 3v7.5m0 0l3-3m-3 3-3-3M3 12.5h10',
  play: 'M5 3.5v9l7-4.5-7-4.5Z',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  stop: 'M4 4h8v8H4z',
  alert: 'M8 2.5l6 10.5H2L8 2.5Zm0 4v3m0 2v.5',
  inbox: 'M2.5 9.5 4 4h8l1.5 5.5M2.5 9.5v3.5h11V9.5M2.5 9.5h3.5l.5 1.5h3l.5-1.5h3.5',
  refresh: 'M13 8a5 5 0 1 1-1.5-3.5M13 3v3h-3',
  rollback: 'M6 4 3 7l3 3M3 7h6.5a3.5 3.5 0 0 1 0 7H7',
  back: 'M10 3 5 8l5 5',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, ...rest }: { name: IconName; size?: number } & SVGProps<SVGSVGElement>) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.5}
      strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" {...rest}>
      <path d={PATHS[name]} />
    </svg>
  );
}
