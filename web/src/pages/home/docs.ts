/** The repository's docs (`docs/` and `CHANGELOG.md`), bundled into the console at build
 * time, so the console serves the same text the repository holds. */
const files = import.meta.glob<string>(['../../../../docs/**/*.md', '../../../../CHANGELOG.md'], { query: '?raw', import: 'default' });

export interface DocPage { slug: string; section: 'manual' | 'reference'; titleKey: string }

export const MANUAL = ['import-data', 'plan', 'train', 'deploy', 'watch', 'administer'] as const;
export const PAGES: DocPage[] = [
  ...MANUAL.map((m) => ({ slug: `manual/${m}`, section: 'manual' as const, titleKey: `docs.pages.${m}` })),
  { slug: 'faq', section: 'reference', titleKey: 'docs.pages.faq' },
  { slug: 'api-guide', section: 'reference', titleKey: 'docs.pages.api' },
  { slug: 'changelog', section: 'reference', titleKey: 'docs.pages.changelog' },
];

function pathOf(slug: string): string {
  return slug === 'changelog' ? '../../../../CHANGELOG.md' : `../../../../docs/${slug}.md`;
}

export async function loadDoc(slug: string): Promise<string | null> {
  const load = files[pathOf(slug)];
  return load ? load() : null;
}
