import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange' | 'aria-describedby' | 'aria-invalid'
>;

/**
 * A labelled text input of the account and log-in forms. `invalid` marks it for assistive technology when
 * the API named the field; `hint` is a line under it, tied to the input by aria-describedby.
 */
export function FormField({
  label,
  value,
  onChange,
  invalid,
  hint,
  ...input
}: InputProps & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
  hint?: { id: string; text: string };
  /** The input itself (a form that puts focus back in it after a submit). */
  ref?: Ref<HTMLInputElement>;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        {...input}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={hint?.id}
        aria-invalid={invalid}
      />
      {hint && (
        <small id={hint.id} className="muted">
          {hint.text}
        </small>
      )}
    </label>
  );
}

/** A form's error line, announced as it appears. */
export function FormError({ children }: { children: ReactNode }) {
  return (
    <p className="alert alert-error" role="alert">
      {children}
    </p>
  );
}

/** The form's submit button: disabled, and saying so, while the form is sending. */
export function SubmitButton({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button className="btn btn-primary" type="submit" disabled={busy}>
      {busy ? 'Please wait…' : children}
    </button>
  );
}
