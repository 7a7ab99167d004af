/** The notebooks API for the console's pages: queries, mutations, the .ipynb import. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { toApiError } from '../../api/errors';
import { getSession } from '../../api/session';
import type { BodyOf, ResponseOf } from '../../api/types';

export type Notebook = ResponseOf<'/api/v2/notebooks/{notebook_id}'>;
export type NotebookPage = ResponseOf<'/api/v2/notebooks'>;
export type Kernel = ResponseOf<'/api/v2/notebooks/{notebook_id}/kernel'>;
export type Version = ResponseOf<'/api/v2/notebooks/{notebook_id}/versions'>[number];
export type NotebookUpdate = BodyOf<'/api/v2/notebooks/{notebook_id}', 'put'>;

const path = (id: string) => ({ params: { path: { notebook_id: id } } });

export function useNotebooks(params: { page: number; size: number; q: string }) {
  return useQuery({
    queryKey: ['notebooks', params],
    queryFn: () => unwrap(api.GET('/api/v2/notebooks', { params: { query: { page: params.page, pageSize: params.size, q: params.q || null } } })),
    placeholderData: keepPreviousData,
  });
}

export function useNotebook(id: string) {
  return useQuery({ queryKey: ['notebook', id], queryFn: () => unwrap(api.GET('/api/v2/notebooks/{notebook_id}', path(id))) });
}

export function useVersions(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['notebook', id, 'versions'],
    queryFn: () => unwrap(api.GET('/api/v2/notebooks/{notebook_id}/versions', path(id))),
    enabled,
  });
}

export function useKernel(id: string) {
  return useQuery({ queryKey: ['notebook', id, 'kernel'], queryFn: () => unwrap(api.GET('/api/v2/notebooks/{notebook_id}/kernel', path(id))) });
}

export function useCreateNotebook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v2/notebooks', { body: { name } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['notebooks'] }),
  });
}

export function useSaveNotebook(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NotebookUpdate) => unwrap(api.PUT('/api/v2/notebooks/{notebook_id}', { ...path(id), body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['notebooks'] });
      void qc.invalidateQueries({ queryKey: ['notebook', id, 'versions'] });
    },
  });
}

export function useKernelAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: 'start' | 'interrupt' | 'restart') => {
      if (action === 'start') return unwrap(api.POST('/api/v2/notebooks/{notebook_id}/kernel', path(id)));
      if (action === 'interrupt') return unwrap(api.POST('/api/v2/notebooks/{notebook_id}/kernel/interrupt', path(id)));
      return unwrap(api.POST('/api/v2/notebooks/{notebook_id}/kernel/restart', path(id)));
    },
    onSuccess: (kernel) => qc.setQueryData(['notebook', id, 'kernel'], kernel),
  });
}

export function useExecute(id: string) {
  return useMutation({
    mutationFn: (body: { cellId?: string; source?: string; all?: boolean }) =>
      unwrap(api.POST('/api/v2/notebooks/{notebook_id}/execute', { ...path(id), body })),
  });
}

/** Upload an .ipynb file (multipart). */
export async function importNotebook(file: File): Promise<Notebook> {
  const form = new FormData();
  form.append('file', file, file.name);
  const token = getSession()?.token;
  const resp = await fetch('/api/v2/notebooks/import', {
    method: 'POST', body: form, headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const body: unknown = await resp.json().catch(() => undefined);
  if (!resp.ok) throw toApiError(resp.status, body, resp.statusText);
  return body as Notebook;
}

/** Download the notebook as an .ipynb file. */
export async function exportNotebook(id: string, name: string): Promise<void> {
  const token = getSession()?.token;
  const resp = await fetch(`/api/v2/notebooks/${id}/export`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!resp.ok) throw toApiError(resp.status, await resp.json().catch(() => undefined), resp.statusText);
  const url = URL.createObjectURL(await resp.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.ipynb`;
  a.click();
  URL.revokeObjectURL(url);
}
