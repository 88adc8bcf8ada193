'use client';
// A catalog list (music tracks or original works) with indexing progress and, for admins, add and remove.
import { useState } from 'react';
import { clock, dateTime, percent } from '../lib/format';
import { addToCatalog, catalog, removeFromCatalog, type CatalogKind } from '../lib/queries';
import { readSession } from '../lib/session';
import { usePolling } from '../lib/usePolling';

const TEXT = {
  music: { title: 'Music tracks', by: 'Artist', noun: 'track' },
  originals: { title: 'Original works', by: 'Owner', noun: 'work' },
};

export function CatalogPage({ kind }: { kind: CatalogKind }) {
  const t = TEXT[kind];
  const [search, setSearch] = useState('');
  const { data, error, refresh } = usePolling(() => catalog(kind, search), 3000, `${kind}:${search}`);
  const [form, setForm] = useState({ externalId: '', title: '', by: '', path: '' });
  const [file, setFile] = useState<File | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isAdmin = readSession()?.role === 'admin';

  async function add(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    try {
      await addToCatalog(kind, { ...form, file });
      setForm({ externalId: '', title: '', by: '', path: '' });
      setFile(null);
      (e.target as HTMLFormElement).reset();
      await refresh();
    } catch (err) {
      setFormError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remove(id: string, title: string) {
    if (!window.confirm(`Remove “${title}” from the catalog?`)) return;
    try {
      await removeFromCatalog(kind, id);
      await refresh();
    } catch (err) {
      setFormError((err as Error).message);
    }
  }

  const field = (k: keyof typeof form) => ({
    value: form[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value }),
  });

  return (
    <>
      <h1>
        {t.title} {data && <span className="muted">({data.totalCount})</span>}
      </h1>
      {isAdmin && (
        <form className="panel filters" onSubmit={add} aria-label={`Add a ${t.noun}`}>
          <label>
            External ID
            <input required {...field('externalId')} />
          </label>
          <label>
            Title
            <input required {...field('title')} />
          </label>
          <label>
            {t.by}
            <input {...field('by')} />
          </label>
          <label>
            File
            <input
              type="file"
              accept="audio/*,video/*"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
          <label>
            or server path
            <input {...field('path')} disabled={file !== null} placeholder="inside UNDUB_INGEST_DIR" />
          </label>
          <button type="submit" disabled={busy || (!file && !form.path)}>
            {busy ? 'Adding…' : `Add ${t.noun}`}
          </button>
          {formError && (
            <p role="alert" className="error" style={{ width: '100%' }}>
              {formError}
            </p>
          )}
        </form>
      )}
      <div className="filters" style={{ marginTop: '1rem' }}>
        <label>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table className="data" aria-label={t.title}>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">{t.by}</th>
            <th scope="col">External ID</th>
            <th scope="col">Duration</th>
            <th scope="col">Indexing</th>
            <th scope="col">Added</th>
            {isAdmin && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {data?.nodes.map((r) => (
            <tr key={r.id}>
              <td>{r.title}</td>
              <td>{r.by ?? '–'}</td>
              <td className="muted">{r.externalId}</td>
              <td>{r.durationSeconds === null ? '–' : clock(r.durationSeconds)}</td>
              <td>
                {r.indexedAt ? (
                  'indexed'
                ) : r.job ? (
                  <>
                    <progress max={1} value={r.job.progress} aria-label={`${r.title} indexing`} />{' '}
                    {percent(r.job.progress)} <span className="muted">{r.job.status.toLowerCase()}</span>
                    {r.job.errorMessage && <div className="error">{r.job.errorMessage}</div>}
                  </>
                ) : (
                  'waiting'
                )}
              </td>
              <td className="muted">{dateTime(r.createdAt)}</td>
              {isAdmin && (
                <td>
                  <button
                    type="button"
                    onClick={() => remove(r.id, r.title)}
                    aria-label={`Remove ${r.title}`}
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
