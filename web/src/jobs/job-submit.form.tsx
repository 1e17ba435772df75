import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { fieldErrors } from '../client/api-errors';
import { graphql } from '../gql';
import type { CreateJobInput } from '../gql/graphql';

const CreateJobDocument = graphql(`
  mutation CreateJob($input: CreateJobInput!) {
    createJob(input: $input) {
      ...JobSummary
    }
  }
`);

interface EnvRow {
  key: number;
  name: string;
  value: string;
  secret: boolean;
}

type Errors = Record<string, string>;

/** `env.2.name`, `env[2].value`, `env.2` → row 2 */
function envRowOf(field: string): number | undefined {
  const m = /^env(?:\.|\[)(\d+)/.exec(field);
  return m ? Number(m[1]) : undefined;
}

function parseIntField(raw: string, name: string, errors: Errors): number | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (!/^-?\d+$/.test(text)) {
    errors[name] = 'Enter a whole number.';
    return undefined;
  }
  return Number(text);
}

export function JobSubmitForm({ onCreated }: { onCreated(job: { id: string }): void }) {
  const id = useId();
  const [, createJob] = useMutation(CreateJobDocument);
  const [command, setCommand] = useState('');
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [nextKey, setNextKey] = useState(1);
  const [requirements, setRequirements] = useState('');
  const [priority, setPriority] = useState('0');
  const [timeout, setTimeoutValue] = useState('');
  const [attempts, setAttempts] = useState('1');
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  // which row each submitted env entry came from (blank rows are not sent, so the server's
  // `env[i]` is not the i-th row on screen)
  const [sentEnvKeys, setSentEnvKeys] = useState<number[]>([]);

  function updateEnv(key: number, patch: Partial<EnvRow>) {
    setEnv((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const local: Errors = {};
    const sentEnv = env.filter((r) => r.name !== '' || r.value !== '');
    setSentEnvKeys(sentEnv.map((r) => r.key));
    const input: CreateJobInput = {
      command,
      env: sentEnv.map((r) => ({ name: r.name, value: r.value, secret: r.secret })),
      requirements: requirements
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
    const p = parseIntField(priority, 'priority', local);
    const t = parseIntField(timeout, 'timeoutSeconds', local);
    const a = parseIntField(attempts, 'maxAttempts', local);
    if (p !== undefined) input.priority = p;
    if (t !== undefined) input.timeoutSeconds = t;
    if (a !== undefined) input.maxAttempts = a;
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setGeneral([]);
      return;
    }
    setBusy(true);
    const result = await createJob({ input });
    setBusy(false);
    if (result.data) {
      setErrors({});
      setGeneral([]);
      setCommand('');
      setEnv([]);
      onCreated(result.data.createJob);
      return;
    }
    const { fields, other } = fieldErrors(result.error);
    setErrors(fields);
    setGeneral(other.length > 0 || Object.keys(fields).length > 0 ? other : ['The job was not created.']);
  }

  const err = (name: string) => errors[name];
  const describedBy = (name: string) => (errors[name] ? `${id}-${name}-error` : undefined);
  const fieldError = (name: string) =>
    errors[name] ? (
      <span className="field-error" id={`${id}-${name}-error`} data-field-error={name}>
        {errors[name]}
      </span>
    ) : null;
  const envFieldErrors = Object.entries(errors).filter(([f]) => f === 'env' || (f.startsWith('env') && envRowOf(f) === undefined));

  return (
    <form className="card submit-form" onSubmit={onSubmit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>Run a command</h2>
      {general.length > 0 && (
        <div className="error" role="alert">
          {general.join(' ')}
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-command`}>Command</label>
        <textarea
          id={`${id}-command`}
          name="command"
          rows={3}
          spellCheck={false}
          placeholder="echo hello"
          value={command}
          aria-invalid={err('command') ? true : undefined}
          aria-describedby={describedBy('command')}
          onChange={(e) => setCommand(e.target.value)}
          onKeyDown={(e) => {
            // Ctrl/Cmd+Enter submits from the multi-line box
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
          }}
        />
        {fieldError('command')}
      </div>

      <fieldset className="env">
        <legend>Environment</legend>
        {env.length === 0 && <p className="muted">No variables.</p>}
        {env.map((row, index) => {
          const rowErrors = Object.entries(errors).filter(([f]) => {
            const sent = envRowOf(f);
            return sent !== undefined && sentEnvKeys[sent] === row.key;
          });
          const rowErrorId = rowErrors.length > 0 ? `${id}-env-${index}-error` : undefined;
          return (
            <div className="env-row" key={row.key}>
              <label>
                <span className="sr-only">Name of variable {index + 1}</span>
                <input
                  placeholder="NAME"
                  spellCheck={false}
                  value={row.name}
                  aria-invalid={rowErrors.length > 0 ? true : undefined}
                  aria-describedby={rowErrorId}
                  onChange={(e) => updateEnv(row.key, { name: e.target.value })}
                />
              </label>
              <label>
                <span className="sr-only">Value of variable {index + 1}</span>
                <input
                  placeholder="value"
                  spellCheck={false}
                  type={row.secret ? 'password' : 'text'}
                  autoComplete="off"
                  value={row.value}
                  aria-describedby={rowErrorId}
                  onChange={(e) => updateEnv(row.key, { value: e.target.value })}
                />
              </label>
              <label className="inline">
                <input type="checkbox" checked={row.secret} onChange={(e) => updateEnv(row.key, { secret: e.target.checked })} />
                secret
              </label>
              <button
                type="button"
                className="quiet"
                aria-label={`Remove variable ${index + 1}`}
                onClick={() => setEnv((rows) => rows.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
              {rowErrors.length > 0 && (
                <span className="field-error" id={rowErrorId} data-field-error={`env.${index}`}>
                  {rowErrors.map(([, m]) => m).join('; ')}
                </span>
              )}
            </div>
          );
        })}
        {envFieldErrors.map(([f, m]) => (
          <span key={f} className="field-error" data-field-error={f}>
            {m}
          </span>
        ))}
        <button
          type="button"
          onClick={() => {
            setEnv((rows) => [...rows, { key: nextKey, name: '', value: '', secret: false }]);
            setNextKey((k) => k + 1);
          }}
        >
          Add variable
        </button>
      </fieldset>

      <div className="grid">
        <div className="field">
          <label htmlFor={`${id}-requirements`}>Requirements (labels)</label>
          <input
            id={`${id}-requirements`}
            name="requirements"
            placeholder="linux, gpu"
            value={requirements}
            aria-invalid={err('requirements') ? true : undefined}
            aria-describedby={describedBy('requirements')}
            onChange={(e) => setRequirements(e.target.value)}
          />
          {fieldError('requirements')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <input
            id={`${id}-priority`}
            name="priority"
            inputMode="numeric"
            value={priority}
            aria-invalid={err('priority') ? true : undefined}
            aria-describedby={describedBy('priority')}
            onChange={(e) => setPriority(e.target.value)}
          />
          {fieldError('priority')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-timeout`}>Timeout (seconds)</label>
          <input
            id={`${id}-timeout`}
            name="timeoutSeconds"
            inputMode="numeric"
            placeholder="none"
            value={timeout}
            aria-invalid={err('timeoutSeconds') ? true : undefined}
            aria-describedby={describedBy('timeoutSeconds')}
            onChange={(e) => setTimeoutValue(e.target.value)}
          />
          {fieldError('timeoutSeconds')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-attempts`}>Attempts</label>
          <input
            id={`${id}-attempts`}
            name="maxAttempts"
            inputMode="numeric"
            value={attempts}
            aria-invalid={err('maxAttempts') ? true : undefined}
            aria-describedby={describedBy('maxAttempts')}
            onChange={(e) => setAttempts(e.target.value)}
          />
          {fieldError('maxAttempts')}
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Submitting…' : 'Run'}
        </button>
      </div>
    </form>
  );
}
