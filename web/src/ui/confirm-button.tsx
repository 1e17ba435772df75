import { useRef, useState, type ReactNode } from 'react';

/**
 * A button that asks first, in a modal <dialog> (focus moves into it and returns
 * afterwards; Escape cancels), then runs `onConfirm`.
 */
export function ConfirmButton(props: {
  label: ReactNode;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  className?: string;
  disabled?: boolean;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);

  async function confirm() {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  }

  return (
    <>
      <button type="button" className={props.className} disabled={props.disabled || busy} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} className="confirm">
        <p>{props.question}</p>
        <div className="actions">
          <button type="button" autoFocus onClick={() => dialog.current?.close()}>
            Keep
          </button>
          <button type="button" className={props.danger ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>
            {props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
