import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/errors';
import { useAuth } from '../auth/AuthContext';
import { LangSwitch } from '../components/Layout';
import { Brand, ErrorMessage } from '../components/ui';
import { useI18n } from '../i18n/i18n';

export function LoginPage() {
  const { t } = useI18n();
  const { user, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (user) return <Navigate to={from} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
      navigate(from, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="card login-card stack" onSubmit={(e) => void submit(e)}>
        <div className="row between">
          <Brand />
          <LangSwitch />
        </div>
        <p className="muted">{t('auth.welcome')}</p>
        <label className="field">
          <span>{t('auth.username')}</span>
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label className="field">
          <span>{t('auth.password')}</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error ? <ErrorMessage error={error} title={error instanceof ApiError && error.code === 'UNAUTHORIZED' ? t('checks.wrongPassword') : undefined} /> : null}
        <button className="btn primary" type="submit" disabled={busy} data-testid="login-submit">
          {busy && <span className="spinner" />} {t('auth.signIn')}
        </button>
      </form>
    </div>
  );
}
