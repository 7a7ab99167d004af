/** Users (admins): create, change role, disable, reset a password; anyone: change their own password. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { Alert, Badge, Card, ConfirmDialog, ErrorMessage, Field, Modal, PageHeader, QueryView, SkeletonTable, Table } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';

type Role = 'admin' | 'engineer' | 'viewer';
const ROLES: Role[] = ['admin', 'engineer', 'viewer'];
interface User { id: number; username: string; role: Role; email?: string | null; disabled?: boolean }

function useUsers(enabled: boolean) {
  return useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/auth/users')) as Promise<User[]>, enabled });
}

function CreateUser() {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState({ username: '', email: '', password: '', role: 'viewer' as Role });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/users', { body: { ...form, email: form.email || null } })),
    onSuccess: () => { setForm({ username: '', email: '', password: '', role: 'viewer' }); void client.invalidateQueries({ queryKey: ['users'] }); },
  });
  const short = form.password.length > 0 && form.password.length < 8;
  return (
    <Card title={t('admin.create')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); create.mutate(); }} data-testid="user-create">
        <div className="grid-2">
          <Field label={t('admin.username')}><input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} data-testid="user-name" /></Field>
          <Field label={t('admin.email')} hint={t('common.optional')}><input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} data-testid="user-email" /></Field>
          <Field label={t('auth.password')} error={short ? t('admin.minLength') : undefined}><input type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} data-testid="user-password" /></Field>
          <Field label={t('admin.role')}>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} data-testid="user-role">
              {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
            </select>
          </Field>
        </div>
        {create.error ? <ErrorMessage error={create.error} /> : null}
        {create.isSuccess ? <Alert kind="ok">{t('admin.created', { name: create.data.username })}</Alert> : null}
        <div><button className="btn primary" disabled={!form.username.trim() || form.password.length < 8 || create.isPending} data-testid="user-create-submit">{t('admin.create')}</button></div>
      </form>
    </Card>
  );
}

function UserRow({ user, self }: { user: User; self: boolean }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const patch = useMutation({
    mutationFn: (body: { role?: Role; disabled?: boolean }) =>
      unwrap(api.PATCH('/api/auth/users/{user_id}', { params: { path: { user_id: user.id } }, body })) as Promise<User>,
    onSuccess: (saved) => {
      setConfirming(false);
      // the row shows the saved user at once (the list's refetch lands later)
      client.setQueryData<User[]>(['users'], (users) => users?.map((u) => (u.id === saved.id ? saved : u)));
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const reset = useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/users/{user_id}/password', { params: { path: { user_id: user.id } }, body: { password } })),
    onSuccess: () => { setResetting(false); setPassword(''); },
  });
  return (
    <tr data-testid={`user-row-${user.username}`}>
      <td><strong>{user.username}</strong>{user.email ? <div className="muted small">{user.email}</div> : null}</td>
      <td>
        <select value={user.role} disabled={patch.isPending} aria-label={t('admin.role')} data-testid="user-row-role"
          onChange={(e) => patch.mutate({ role: e.target.value as Role })}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </select>
        {patch.isSuccess && patch.variables?.role ? <div className="small muted" data-testid="role-saved">{t('admin.roleSaved', { name: user.username, role: t(`roles.${user.role}`) })}</div> : null}
        {patch.error && !confirming ? <ErrorMessage error={patch.error} /> : null}
      </td>
      <td>{user.disabled ? <Badge tone="danger">{t('admin.disabled')}</Badge> : <Badge tone="ok">{t('admin.active')}</Badge>}</td>
      <td className="nowrap">
        {!self && (user.disabled
          ? <button className="btn sm" onClick={() => patch.mutate({ disabled: false })}>{t('admin.enable')}</button>
          : <button className="btn sm danger" onClick={() => setConfirming(true)}>{t('admin.disable')}</button>)}
        {' '}<button className="btn sm" onClick={() => setResetting(true)}>{t('admin.resetPassword')}</button>
        {confirming && (
          <ConfirmDialog title={t('admin.disable')} text={t('admin.confirmDisable', { name: user.username })} confirmLabel={t('admin.disable')} danger
            busy={patch.isPending} error={patch.error} onConfirm={() => patch.mutate({ disabled: true })} onCancel={() => setConfirming(false)} />
        )}
        {resetting && (
          <Modal title={`${t('admin.resetPassword')}: ${user.username}`} onClose={() => setResetting(false)} footer={
            <>
              <button className="btn" onClick={() => setResetting(false)}>{t('common.cancel')}</button>
              <button className="btn primary" disabled={password.length < 8 || reset.isPending} onClick={() => reset.mutate()}>{t('admin.resetPassword')}</button>
            </>
          }>
            <Field label={t('admin.newPassword')} hint={t('admin.minLength')}><input type="password" value={password} onChange={(e) => setPassword(e.target.value)} /></Field>
            {reset.error ? <ErrorMessage error={reset.error} /> : null}
          </Modal>
        )}
      </td>
    </tr>
  );
}

function OwnPassword() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/password', { body: { currentPassword: current, newPassword: next } })),
    onSuccess: () => { setCurrent(''); setNext(''); },
  });
  return (
    <Card title={t('admin.ownPassword')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); change.mutate(); }}>
        <div className="grid-2">
          <Field label={t('admin.currentPassword')}><input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} /></Field>
          <Field label={t('admin.newPassword')} error={next && next.length < 8 ? t('admin.minLength') : undefined}><input type="password" value={next} onChange={(e) => setNext(e.target.value)} /></Field>
        </div>
        {change.error ? <ErrorMessage error={change.error} /> : null}
        {change.isSuccess ? <Alert kind="ok">{t('admin.changed')}</Alert> : null}
        <div><button className="btn" disabled={!current || next.length < 8 || change.isPending}>{t('admin.change')}</button></div>
      </form>
    </Card>
  );
}

export default function UsersPage() {
  const { t } = useI18n();
  const { user } = useAuth();
  const isAdmin = user?.role === 'admin';
  const users = useUsers(isAdmin);
  return (
    <>
      <PageHeader title={t('admin.title')} subtitle={t('admin.subtitle')} />
      <div className="stack">
        {isAdmin ? (
          <>
            <CreateUser />
            <Card flush>
              <QueryView query={users} skeleton={<SkeletonTable />}>
                {(list) => (
                  <Table testId="users-table" head={<tr><th>{t('admin.username')}</th><th>{t('admin.role')}</th><th>{t('admin.state')}</th><th /></tr>}>{list.map((u) => <UserRow key={u.id} user={u} self={u.id === user?.id} />)}
                  </Table>
                )}
              </QueryView>
            </Card>
          </>
        ) : <Alert kind="info">{t('admin.adminsOnly')}</Alert>}
        <OwnPassword />
      </div>
    </>
  );
}
