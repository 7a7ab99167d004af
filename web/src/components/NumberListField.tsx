/** A comma-separated number list typed as text, checked element by element as it is typed. */
import { useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { parseNumberList, type ListError, type ListRule } from '../lib/validators';
import { Field } from './ui';

export function useListErrorText() {
  const { t } = useI18n();
  return (e: ListError, rule: ListRule) => {
    const p = { n: e.index + 1, token: e.token, min: rule.min ?? '', max: rule.max ?? '' };
    switch (e.reason) {
      case 'empty': return t('checks.listEmpty');
      case 'notNumber': return t('checks.notNumber', p);
      case 'notInteger': return t('checks.notInteger', p);
      case 'tooSmall': return t(rule.exclusive ? 'checks.between' : 'checks.tooSmall', p);
      case 'tooLarge': return t(rule.exclusive ? 'checks.between' : 'checks.tooLarge', p);
    }
  };
}

export function NumberListField({ label, value, rule, readOnly, placeholder, testId, className, onChange, onValidity }: {
  label: string; value: readonly number[]; rule: ListRule; readOnly?: boolean; placeholder?: string; testId?: string; className?: string;
  onChange: (values: number[]) => void; onValidity: (error: string | null) => void;
}) {
  const describe = useListErrorText();
  const [text, setText] = useState(value.join(', '));
  const [error, setError] = useState<string | null>(null);
  const edit = (next: string) => {
    setText(next);
    const parsed = parseNumberList(next, rule);
    const message = parsed.ok ? null : describe(parsed.error, rule);
    setError(message);
    onValidity(message);
    if (parsed.ok) onChange(parsed.values);
  };
  return (
    <Field label={label} error={error}>
      <input className={className} value={text} disabled={readOnly} placeholder={placeholder} data-testid={testId}
        aria-invalid={error ? true : undefined} onChange={(e) => edit(e.target.value)} />
    </Field>
  );
}
