/** A render error shows a message with a way back, never a blank page. */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';

function Fallback({ error, reset }: { error: Error; reset: () => void }) {
  const { t } = useI18n();
  return (
    <div className="alert error" role="alert">
      <div>
        <strong>{t('errors.render')}</strong>
        <div>{error.message}</div>
        <div className="row" style={{ marginTop: 8 }}>
          <button className="btn sm" onClick={reset}>{t('common.retry')}</button>
          <button className="btn sm" onClick={() => window.location.reload()}>{t('common.reload')}</button>
        </div>
      </div>
    </div>
  );
}

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('render failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) return <Fallback error={this.state.error} reset={() => this.setState({ error: null })} />;
    return this.props.children;
  }
}
