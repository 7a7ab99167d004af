/** Model cards: Markdown rendered with marked, sanitized with DOMPurify before it reaches the DOM.
 * `headings`, when given, replace the page's headings in order (the card's headings come from
 * the server as message codes, rendered in the reader's language). */
import DOMPurify from 'dompurify';
import { marked, type Tokens } from 'marked';
import { useMemo } from 'react';

export function withHeadings(source: string, headings?: readonly string[]): string {
  const tokens = marked.lexer(source, { gfm: true });
  if (headings?.length) {
    let i = 0;
    for (const token of tokens) {
      if (token.type !== 'heading') continue;
      const text = headings[i++];
      if (text === undefined) break;
      const h = token as Tokens.Heading;
      h.text = text;
      h.tokens = marked.Lexer.lexInline(text);
    }
  }
  return marked.parser(tokens, { gfm: true });
}

export function Markdown({ source, testId, headings }: { source: string; testId?: string; headings?: readonly string[] }) {
  const html = useMemo(() => DOMPurify.sanitize(withHeadings(source, headings)), [source, headings]);
  return <div className="markdown" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
