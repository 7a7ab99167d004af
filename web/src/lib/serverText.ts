/** Words the server sends as a message code with parameters, rendered in the reader's language;
 * the server's English text stays the fallback for a code this console does not know. */
import { translate, type Lang, type MessageKey } from '../i18n/i18n';

export function coded(lang: Lang, group: 'reasons' | 'cardHeadings' | 'trainingLog' | 'alertMessages', code: string | undefined, params: Record<string, string> | undefined, fallback: string): string {
  if (!code) return fallback;
  const key = `${group}.${code}` as MessageKey;
  const text = translate(lang, key, params);
  return text === key ? fallback : text;
}

interface CodedHeading { code?: string; params?: Record<string, string>; text?: string }

/** A model card's headings (its JSON's `headings`: codes with parameters) in the reader's
 * language, in the page's order; undefined for a card written before headings had codes. */
export function cardHeadings(lang: Lang, card: unknown): string[] | undefined {
  const list = (card as { headings?: unknown } | null | undefined)?.headings;
  if (!Array.isArray(list)) return undefined;
  return (list as CodedHeading[]).map((h) => coded(lang, 'cardHeadings', h.code, h.params, h.text ?? ''));
}

interface SaidDelivery { message?: string | null; code?: string | null; params?: Record<string, string> }

/** What an alert delivery said, in the reader's language: its code and parameters (an
 * anomaly event's kind named in that language too), else the English sentence it sent. */
export function alertMessage(lang: Lang, d: SaidDelivery): string {
  const params = { ...(d.params ?? {}) };
  if (params.kind) {
    const key = `watching.kinds.${params.kind}` as MessageKey;
    const name = translate(lang, key);
    if (name !== key) params.kind = name;
  }
  return coded(lang, 'alertMessages', d.code ?? undefined, params, d.message ?? '');
}
