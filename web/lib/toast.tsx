'use client';

import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

export interface ToastAction {
  label: string;
  run(): void;
}

interface Toast {
  id: number;
  message: string;
  action?: ToastAction;
}

interface ToastApi {
  show(message: string, options?: { action?: ToastAction; onExpire?: () => void; ms?: number }): void;
}

const ToastContext = createContext<ToastApi | null>(null);

/** Short messages in a polite live region; one optional action (e.g. Undo) before they expire. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);

  const show = useCallback<ToastApi['show']>(
    (message, options = {}) => {
      const id = nextId.current++;
      let settled = false;
      const expire = () => {
        if (settled) return;
        settled = true;
        dismiss(id);
        options.onExpire?.();
      };
      const action = options.action
        ? {
            label: options.action.label,
            run: () => {
              if (settled) return;
              settled = true;
              dismiss(id);
              options.action?.run();
            },
          }
        : undefined;
      setToasts((all) => [...all, { id, message, action }]);
      setTimeout(expire, options.ms ?? 5000);
    },
    [dismiss],
  );

  const value = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className="toast">
            <span>{t.message}</span>
            {t.action && (
              <button type="button" className="btn btn-small" onClick={t.action.run}>
                {t.action.label}
              </button>
            )}
            <button type="button" className="btn-icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToast outside ToastProvider');
  return ctx;
}
