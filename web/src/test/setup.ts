// jsdom lacks ResizeObserver; components that observe their size get a harmless stand-in.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
if (typeof window !== 'undefined') globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
