// The injected test wallet's page side (see wallet.py): an EIP-1193 provider whose requests
// go to Python through the exposed planetTestWallet function, announced through EIP-6963.
(() => {
  const listeners = {};
  const emit = (name, arg) => (listeners[name] || []).slice().forEach((fn) => fn(arg));
  const provider = {
    async request({ method, params }) {
      const reply = JSON.parse(await window.planetTestWallet(JSON.stringify({ method, params: params ?? [] })));
      for (const [name, arg] of reply.events || []) setTimeout(() => emit(name, arg), 0);
      if (reply.error) {
        const error = new Error(reply.error.message);
        error.code = reply.error.code;
        error.data = reply.error.data;
        throw error;
      }
      return reply.result;
    },
    on(name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    removeListener(name, fn) { listeners[name] = (listeners[name] || []).filter((f) => f !== fn); },
  };
  window.__planetTestWalletEmit = emit;
  const info = Object.freeze({
    uuid: "6b1f6f5e-3c5d-4c1e-9d43-5e0b8f0e7a11",
    name: "Planet Test Wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='16' height='16'/%3E",
    rdns: "test.planet.wallet",
  });
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  if (window.__planetTestWalletLegacy) {
    // an older wallet: only window.ethereum, no EIP-6963 announcement
    window.ethereum = provider;
    return;
  }
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();
