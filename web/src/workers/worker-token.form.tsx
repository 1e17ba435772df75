import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { fieldErrors } from '../client/api-errors';
import { graphql } from '../gql';

const CreateWorkerTokenDocument = graphql(`
  mutation CreateWorkerToken($name: String!, $labels: [String!]) {
    createWorkerToken(name: $name, labels: $labels) {
      id
      token
      workerName
      labels
      expiresAt
      installCommand
    }
  }
`);

interface Issued {
  token: string;
  workerName: string;
  labels: readonly string[];
  installCommand: string;
}

/** Admin: issue a worker token. The token is shown once; only its hash is stored. */
export function WorkerTokenForm({ onCreated }: { onCreated?: () => void } = {}) {
  const id = useId();
  const [, create] = useMutation(CreateWorkerTokenDocument);
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [issued, setIssued] = useState<Issued | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const result = await create({
      name: name.trim(),
      labels: labels
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    });
    if (result.data) {
      setIssued(result.data.createWorkerToken);
      onCreated?.();
      setErrors({});
      setGeneral([]);
      setName('');
      setLabels('');
      return;
    }
    const { fields, other } = fieldErrors(result.error);
    setErrors(fields);
    setGeneral(other);
  }


  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a worker</h2>
      {issued ? (
        <div className="issued" data-testid="issued-token">
          <p>
            Token for <strong>{issued.workerName}</strong>
            {issued.labels.length > 0 && <> (labels {issued.labels.join(', ')})</>}. It is shown only now: copy it.
          </p>
          <CopyField label="Token" value={issued.token} />
          <CopyField label="Install and start an agent on another host (needs curl and Node ≥ 20)" value={issued.installCommand} />
          <button type="button" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      ) : (
        <form onSubmit={onSubmit} className="inline-form">
          {general.length > 0 && (
            <div className="error" role="alert">
              {general.join(' ')}
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-name`}>Worker name</label>
            <input id={`${id}-name`} required value={name} onChange={(e) => setName(e.target.value)} aria-describedby={errors.name ? `${id}-name-error` : undefined} />
            {errors.name && (
              <span className="field-error" id={`${id}-name-error`}>
                {errors.name}
              </span>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-labels`}>Labels</label>
            <input id={`${id}-labels`} placeholder="linux, gpu" value={labels} onChange={(e) => setLabels(e.target.value)} aria-describedby={errors.labels ? `${id}-labels-error` : undefined} />
            {errors.labels && (
              <span className="field-error" id={`${id}-labels-error`}>
                {errors.labels}
              </span>
            )}
          </div>
          <button type="submit" className="primary">
            Create token
          </button>
        </form>
      )}
    </section>
  );
}

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // clipboard refused (e.g. not a secure context): select the text for Ctrl+C
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} readOnly value={value} className="mono" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
