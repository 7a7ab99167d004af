/** Words the server sends as a message code with parameters, rendered in the reader's language;
 * the server's English text stays the fallback for a code this console does not know. */
import { translate, type Lang, type MessageKey } from '../i18n/i18n';

export function coded(lang: Lang, group: 'reasons', code: string | undefined, params: Record<string, string> | undefined, fallback: string): string {
  if (!code) return fallback;
  const key = `${group}.${code}` as MessageKey;
  const text = translate(lang, key, params);
  return text === key ? fallback : text;
}
