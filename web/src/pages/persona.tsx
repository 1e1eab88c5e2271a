import { useState } from "preact/hooks";
import type { Hex } from "viem";
import { api, describe } from "../api";
import { TxButton } from "../tx";
import { Problem } from "../ui";
import type { Profile } from "./types";

interface Saved {
  metadata_hash: Hex;
  onchain_metadata_hash: string;
  persona_verified: boolean;
}

/** Where the persona document is served exactly as hashed: what metadataURI points at. */
export function personaUri(handle: string): string {
  return `${window.location.origin}/profiles/${handle}/persona`;
}

/** The creator's persona: edited through PUT /profiles/me/persona, then its hash put on chain
 * from the wallet (Identity.setMetadata, what `planet identity sync-persona` sends), with
 * whether the hash the API computes matches the chain's. ``onSynced`` re-reads the profile. */
export function PersonaEditor(props: { profile: Profile; onSynced: () => void }) {
  const p = props.profile;
  const [bio, setBio] = useState(p.persona?.bio ?? "");
  const [avatar, setAvatar] = useState(p.persona?.avatar_url ?? "");
  const [links, setLinks] = useState((p.persona?.links ?? []).join("\n"));
  const [saved, setSaved] = useState<Saved | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const hash = saved?.metadata_hash ?? (p.persona_hash as Hex | null);
  const matches = saved ? saved.persona_verified : p.persona_verified;
  const save = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const json = {
        bio,
        avatar_url: avatar.trim() || null,
        links: links
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
        pinned_post_ids: p.persona?.pinned_post_ids ?? [],
      };
      setSaved(await api<Saved>("/profiles/me/persona", { method: "PUT", json }));
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <section aria-labelledby="persona-title">
      <h2 id="persona-title">Your persona</h2>
      <form onSubmit={save}>
        <label for="persona-bio">Bio</label>
        <textarea id="persona-bio" value={bio} maxLength={1000} onInput={(e) => setBio(e.currentTarget.value)} />
        <label for="persona-avatar">Avatar URL (https:// or ipfs://)</label>
        <input id="persona-avatar" value={avatar} onInput={(e) => setAvatar(e.currentTarget.value)} />
        <label for="persona-links">Links (one http(s) URL a line)</label>
        <textarea id="persona-links" value={links} onInput={(e) => setLinks(e.currentTarget.value)} />
        <button type="submit">Save persona</button>
      </form>
      {problem ? <Problem message={problem} /> : null}
      {hash ? (
        <p data-testid="persona-sync" data-matches={String(matches)}>
          {matches
            ? `Its hash ${hash.slice(0, 10)}… matches the chain.`
            : `Its hash ${hash.slice(0, 10)}… does not match the chain yet: put it on chain so readers can trust it.`}
        </p>
      ) : (
        <p>No persona saved yet.</p>
      )}
      {hash && !matches ? (
        <TxButton
          label="Put the persona's hash on chain"
          call={() => ({ contract: "Identity", functionName: "setMetadata", args: [personaUri(p.handle), hash] })}
          onDone={async (state) => {
            if (state.status !== "confirmed") return;
            // the profile says so once the indexer has mirrored the new hash
            for (let i = 0; i < 60; i++) {
              const now = await api<Profile>(`/profiles/${p.handle}`).catch(() => null);
              if (now?.persona_verified && now.persona_hash === hash) {
                setSaved({ metadata_hash: hash, onchain_metadata_hash: hash, persona_verified: true });
                props.onSynced();
                return;
              }
              await new Promise((r) => setTimeout(r, 500));
            }
          }}
        />
      ) : null}
    </section>
  );
}
