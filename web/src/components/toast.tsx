/** Short notices in the corner: saved, copied, failed. */
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

type Kind = 'info' | 'ok' | 'error';
interface Toast { id: number; kind: Kind; text: string }
type Notify = (text: string, kind?: Kind) => void;

const ToastContext = createContext<Notify>(() => undefined);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const notify = useCallback<Notify>((text, kind = 'info') => {
    const id = nextId++;
    setToasts((ts) => [...ts, { id, kind, text }]);
    window.setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== id)), kind === 'error' ? 6000 : 3000);
  }, []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((x) => <div key={x.id} className={`toast ${x.kind}`}>{x.text}</div>)}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Notify {
  return useContext(ToastContext);
}
