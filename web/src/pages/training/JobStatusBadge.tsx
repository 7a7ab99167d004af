import { Badge, type Tone } from '../../components/ui';
import { useI18n, type MessageKey } from '../../i18n/i18n';

const TONES: Record<string, Tone> = {
  queued: 'neutral', running: 'info', paused: 'warn', succeeded: 'ok', failed: 'danger', cancelled: 'neutral',
};

export function JobStatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  const label = t(key);
  return <Badge tone={TONES[status] ?? 'neutral'}>{label === key ? status : label}</Badge>;
}
