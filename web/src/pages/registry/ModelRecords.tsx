/** Edit and delete a registered model and its versions (each delete asks first; a version
 * or model still served is refused by the server, naming the deployments). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { ModelVersion, RegisteredModel } from '../../api/types';
import { useToast } from '../../components/toast';
import { Card, ConfirmDialog, ErrorMessage, Field, Modal } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';

const tagList = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

export function ModelRecordActions({ model }: { model: RegisteredModel }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const notify = useToast();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [form, setForm] = useState({ name: model.name, description: model.description, tags: (model.tags ?? []).join(', ') });
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/registry/models/{name}', {
      params: { path: { name: model.name } },
      body: { name: form.name.trim() === model.name ? null : form.name.trim(), description: form.description, tags: tagList(form.tags) },
    })),
    onSuccess: (out) => {
      setEditing(false);
      notify(t('records.saved'), 'ok');
      void client.invalidateQueries({ queryKey: ['models'] });
      void client.invalidateQueries({ queryKey: ['model'] });
      if (out.name !== model.name) navigate(`/registry/${encodeURIComponent(out.name)}`, { replace: true });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/registry/models/{name}', { params: { path: { name: model.name } } })),
    onSuccess: () => {
      notify(t('records.deleted', { what: model.name }), 'ok');
      void client.invalidateQueries({ queryKey: ['models'] });
      navigate('/registry');
    },
  });
  return (
    <>
      <button className="btn" onClick={() => setEditing(true)} data-testid="model-edit">{t('records.edit')}</button>
      <button className="btn danger" onClick={() => setDeleting(true)} data-testid="model-delete">{t('records.deleteModel')}</button>
      {editing && (
        <Modal title={t('records.editModel')} onClose={() => setEditing(false)} footer={
          <>
            <button className="btn" onClick={() => setEditing(false)}>{t('common.cancel')}</button>
            <button className="btn primary" disabled={!form.name.trim() || save.isPending} onClick={() => save.mutate()} data-testid="model-save">{t('records.save')}</button>
          </>
        }>
          <div className="stack">
            <Field label={t('records.name')}><input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="model-name" /></Field>
            <Field label={t('records.description')}><textarea value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} data-testid="model-description" /></Field>
            <Field label={t('records.tags')} hint={t('records.tagsHint')}><input value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} data-testid="model-tags" /></Field>
            {save.error ? <ErrorMessage error={save.error} /> : null}
          </div>
        </Modal>
      )}
      {deleting && (
        <ConfirmDialog title={t('records.deleteModel')} text={t('records.confirmDeleteModel', { name: model.name })} confirmLabel={t('records.deleteModel')} danger
          busy={remove.isPending} error={remove.error} onCancel={() => setDeleting(false)} onConfirm={() => remove.mutate()} />
      )}
    </>
  );
}

export function VersionRecord({ modelId, version, onDeleted }: { modelId: string; version: ModelVersion; onDeleted: () => void }) {
  const { t } = useI18n();
  const notify = useToast();
  const client = useQueryClient();
  const [description, setDescription] = useState(version.description);
  const [tags, setTags] = useState((version.tags ?? []).join(', '));
  const [deleting, setDeleting] = useState(false);
  const path = { params: { path: { name: modelId, version: version.version } } };
  const refresh = () => void client.invalidateQueries({ queryKey: ['model', modelId] });
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/registry/models/{name}/versions/{version}', { ...path, body: { description, tags: tagList(tags) } })),
    onSuccess: () => { notify(t('records.saved'), 'ok'); refresh(); },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/registry/models/{name}/versions/{version}', path)),
    onSuccess: () => { setDeleting(false); notify(t('records.deleted', { what: `v${version.version}` }), 'ok'); refresh(); onDeleted(); },
  });
  return (
    <Card title={t('records.editVersion', { v: version.version })} testId="version-record">
      <div className="stack" style={{ gap: 8 }}>
        <div className="row" style={{ alignItems: 'flex-end', flexWrap: 'wrap' }}>
          <Field label={t('records.description')}><input value={description} onChange={(e) => setDescription(e.target.value)} style={{ width: 320 }} data-testid="version-description" /></Field>
          <Field label={t('records.tags')} hint={t('records.tagsHint')}><input value={tags} onChange={(e) => setTags(e.target.value)} style={{ width: 200 }} data-testid="version-tags" /></Field>
          <button className="btn primary" disabled={save.isPending} onClick={() => save.mutate()} data-testid="version-save">{t('records.save')}</button>
          <button className="btn danger" onClick={() => setDeleting(true)} data-testid="version-delete">{t('records.deleteVersion', { v: version.version })}</button>
        </div>
        {save.error ? <ErrorMessage error={save.error} /> : null}
      </div>
      {deleting && (
        <ConfirmDialog title={t('records.deleteVersion', { v: version.version })} text={t('records.confirmDeleteVersion', { v: version.version })}
          confirmLabel={t('records.deleteVersion', { v: version.version })} danger busy={remove.isPending} error={remove.error}
          onCancel={() => setDeleting(false)} onConfirm={() => remove.mutate()} />
      )}
    </Card>
  );
}
